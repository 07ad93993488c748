import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { TaskStatus, type WireTaskProgress } from '@semaphore/models';
import { IntegrationEntity } from './integration.entity';
import { InventoryEntity } from './inventory.entity';
import { ProjectEntity } from './project.entity';
import { RunnerEntity } from './runner.entity';
import { ScheduleEntity } from './schedule.entity';
import { TemplateEntity } from './template.entity';
import { UserEntity } from './user.entity';

/** Latest progress of a transfer, in the API's field names. */
export type TaskProgress = WireTaskProgress;

@Entity({ name: 'task' })
@Index(['projectId', 'id'])
@Index(['templateId', 'id'])
export class TaskEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'template_id', type: 'integer' })
  templateId!: number;

  @ManyToOne(() => TemplateEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'template_id' })
  template?: TemplateEntity;

  @Column({ name: 'project_id', type: 'integer' })
  projectId!: number;

  @ManyToOne(() => ProjectEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'project_id' })
  project?: ProjectEntity;

  @Index()
  @Column({ type: 'varchar', length: 32 })
  status!: TaskStatus;

  @Column({ type: 'boolean', default: false })
  debug!: boolean;

  @Column({ name: 'dry_run', type: 'boolean', default: false })
  dryRun!: boolean;

  @Column({ type: 'boolean', default: false })
  diff!: boolean;

  @Column({ type: 'text', default: '' })
  playbook!: string;

  /** JSON object text, stored exactly as sent. */
  @Column({ type: 'text', default: '{}' })
  environment!: string;

  /** Wire name `limit`. */
  @Column({ name: 'hosts_limit', type: 'text', default: '' })
  hostsLimit!: string;

  @Column({ type: 'text', nullable: true })
  arguments!: string | null;

  @Column({ name: 'git_branch', type: 'varchar', length: 255, nullable: true })
  gitBranch!: string | null;

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

  @Column({ name: 'schedule_id', type: 'integer', nullable: true })
  scheduleId!: number | null;

  @ManyToOne(() => ScheduleEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'schedule_id' })
  schedule?: ScheduleEntity;

  @CreateDateColumn({ type: 'timestamptz' })
  created!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  start!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  end!: Date | null;

  @Column({ type: 'text', default: '' })
  message!: string;

  @Column({ name: 'commit_hash', type: 'varchar', length: 64, nullable: true })
  commitHash!: string | null;

  @Column({ name: 'commit_message', type: 'text', default: '' })
  commitMessage!: string;

  @Column({ name: 'build_task_id', type: 'integer', nullable: true })
  buildTaskId!: number | null;

  @ManyToOne(() => TaskEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'build_task_id' })
  buildTask?: TaskEntity;

  @Column({ type: 'varchar', length: 255, nullable: true })
  version!: string | null;

  @Column({ name: 'inventory_id', type: 'integer', nullable: true })
  inventoryId!: number | null;

  @ManyToOne(() => InventoryEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'inventory_id' })
  inventory?: InventoryEntity;

  /** App parameters (terraform `plan` / `auto_approve`, ...). */
  @Column({ type: 'jsonb', nullable: true })
  params!: Record<string, unknown> | null;

  /** The BullMQ queue (runner tag) the task was released to; null = the default queue. */
  @Column({ name: 'runner_tag', type: 'varchar', length: 255, nullable: true })
  runnerTag!: string | null;

  @Column({ name: 'runner_id', type: 'integer', nullable: true })
  runnerId!: number | null;

  @ManyToOne(() => RunnerEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'runner_id' })
  runner?: RunnerEntity;

  /** Fencing token: incremented on every claim, so a runner holding an older claim cannot report any more. */
  @Column({ name: 'claim_generation', type: 'integer', default: 0 })
  claimGeneration!: number;

  @Column({ name: 'claimed_at', type: 'timestamptz', nullable: true })
  claimedAt!: Date | null;

  /** Typed failure code (e.g. SSH_AUTHENTICATION_FAILED) when the task ended in error. */
  @Column({ name: 'error_code', type: 'varchar', length: 64, nullable: true })
  errorCode!: string | null;

  /** Highest log sequence number persisted for this task. */
  @Column({ name: 'last_seq', type: 'integer', default: 0 })
  lastSeq!: number;

  /** The task this one retries (`POST .../tasks/{id}/retry`): same parameters, a new run. */
  @Index()
  @Column({ name: 'retry_of_task_id', type: 'integer', nullable: true })
  retryOfTaskId!: number | null;

  @ManyToOne(() => TaskEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'retry_of_task_id' })
  retryOf?: TaskEntity;

  /** The latest transfer progress a runner reported (ssh/sftp tasks), as the API shows it. */
  @Column({ type: 'jsonb', nullable: true })
  progress!: TaskProgress | null;
}

/** One log line of a task. `(task_id, seq)` is unique, which makes persistence idempotent. */
@Entity({ name: 'task__output' })
@Index(['taskId', 'seq'], { unique: true })
export class TaskOutputEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'task_id', type: 'integer' })
  taskId!: number;

  @ManyToOne(() => TaskEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'task_id' })
  task?: TaskEntity;

  @Column({ type: 'integer' })
  seq!: number;

  @Column({ type: 'timestamptz' })
  time!: Date;

  @Column({ type: 'text' })
  output!: string;
}
