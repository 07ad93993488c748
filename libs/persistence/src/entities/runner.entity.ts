import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { ProjectEntity } from './project.entity';

/** A runner agent. Its token is stored only as a SHA-256 hash. */
@Entity({ name: 'runner' })
export class RunnerEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'project_id', type: 'integer', nullable: true })
  projectId!: number | null;

  @ManyToOne(() => ProjectEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'project_id' })
  project?: ProjectEntity;

  @Column({ type: 'varchar', length: 255, default: '' })
  name!: string;

  @Index({ unique: true, where: 'token_hash IS NOT NULL' })
  @Column({ name: 'token_hash', type: 'varchar', length: 64, nullable: true })
  tokenHash!: string | null;

  /** SHA-256 of a one-time registration token for this runner; cleared once used. */
  @Column({ name: 'registration_token_hash', type: 'varchar', length: 64, nullable: true })
  registrationTokenHash!: string | null;

  @Column({ name: 'registration_token_expires', type: 'timestamptz', nullable: true })
  registrationTokenExpires!: Date | null;

  @Column({ type: 'text', default: '' })
  webhook!: string;

  @Column({ name: 'max_parallel_tasks', type: 'integer', default: 0 })
  maxParallelTasks!: number;

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  tags!: string[];

  @Column({ name: 'last_seen', type: 'timestamptz', nullable: true })
  lastSeen!: Date | null;

  @Column({ type: 'varchar', length: 64, default: '' })
  version!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  created!: Date;
}
