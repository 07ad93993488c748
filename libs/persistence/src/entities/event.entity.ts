import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { IntegrationEntity } from './integration.entity';
import { ProjectEntity } from './project.entity';
import { UserEntity } from './user.entity';

/** Audit log entry. */
@Entity({ name: 'event' })
@Index(['projectId', 'created'])
export class EventEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'project_id', type: 'integer', nullable: true })
  projectId!: number | null;

  @ManyToOne(() => ProjectEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'project_id' })
  project?: ProjectEntity;

  @Column({ name: 'user_id', type: 'integer', nullable: true })
  userId!: number | null;

  @ManyToOne(() => UserEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'user_id' })
  user?: UserEntity;

  @Column({ name: 'integration_id', type: 'integer', nullable: true })
  integrationId!: number | null;

  @ManyToOne(() => IntegrationEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'integration_id' })
  integration?: IntegrationEntity;

  @Column({ name: 'object_id', type: 'integer', nullable: true })
  objectId!: number | null;

  @Column({ name: 'object_type', type: 'varchar', length: 32, nullable: true })
  objectType!: string | null;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  created!: Date;
}
