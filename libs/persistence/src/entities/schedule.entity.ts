import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { ProjectEntity } from './project.entity';
import { RepositoryEntity } from './repository.entity';
import { TemplateEntity } from './template.entity';

@Entity({ name: 'project__schedule' })
export class ScheduleEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Index()
  @Column({ name: 'project_id', type: 'integer' })
  projectId!: number;

  @ManyToOne(() => ProjectEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'project_id' })
  project?: ProjectEntity;

  @Column({ name: 'template_id', type: 'integer' })
  templateId!: number;

  @ManyToOne(() => TemplateEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'template_id' })
  template?: TemplateEntity;

  @Column({ name: 'cron_format', type: 'varchar', length: 255, default: '' })
  cronFormat!: string;

  /** One-shot schedules fire once at this time instead of following a cron expression. */
  @Column({ name: 'run_at', type: 'timestamptz', nullable: true })
  runAt!: Date | null;

  @Column({ type: 'varchar', length: 255, default: '' })
  name!: string;

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  /** Set for "run only when the repository has a new commit" schedules. */
  @Column({ name: 'repository_id', type: 'integer', nullable: true })
  repositoryId!: number | null;

  @ManyToOne(() => RepositoryEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'repository_id' })
  repository?: RepositoryEntity;

  @Column({ name: 'last_commit_hash', type: 'varchar', length: 64, nullable: true })
  lastCommitHash!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  created!: Date;
}
