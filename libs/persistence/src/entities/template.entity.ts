import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  OneToMany,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { TemplateType, type SshOperationSettings } from '@semaphore/models';
import { AccessKeyEntity } from './access-key.entity';
import { EnvironmentEntity } from './environment.entity';
import { InventoryEntity } from './inventory.entity';
import { ProjectEntity } from './project.entity';
import { RepositoryEntity } from './repository.entity';
import { ViewEntity } from './view.entity';

export interface SurveyVarValue {
  name: string;
  value: string;
}

export interface SurveyVar {
  name: string;
  title: string;
  required: boolean;
  type: string;
  description: string;
  values: SurveyVarValue[] | null;
}

@Entity({ name: 'project__template' })
export class TemplateEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Index()
  @Column({ name: 'project_id', type: 'integer' })
  projectId!: number;

  @ManyToOne(() => ProjectEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'project_id' })
  project?: ProjectEntity;

  @Column({ name: 'inventory_id', type: 'integer', nullable: true })
  inventoryId!: number | null;

  @ManyToOne(() => InventoryEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'inventory_id' })
  inventory?: InventoryEntity;

  @Column({ name: 'repository_id', type: 'integer' })
  repositoryId!: number;

  @ManyToOne(() => RepositoryEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'repository_id' })
  repository?: RepositoryEntity;

  @Column({ name: 'environment_id', type: 'integer', nullable: true })
  environmentId!: number | null;

  @ManyToOne(() => EnvironmentEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'environment_id' })
  environment?: EnvironmentEntity;

  @Column({ type: 'varchar', length: 255 })
  name!: string;

  @Column({ type: 'text', default: '' })
  playbook!: string;

  /** JSON array text of extra command-line arguments. */
  @Column({ type: 'text', nullable: true })
  arguments!: string | null;

  @Column({ name: 'allow_override_args_in_task', type: 'boolean', default: false })
  allowOverrideArgsInTask!: boolean;

  @Column({ name: 'allow_override_branch_in_task', type: 'boolean', default: false })
  allowOverrideBranchInTask!: boolean;

  @Column({ name: 'allow_override_inventory_in_task', type: 'boolean', default: false })
  allowOverrideInventoryInTask!: boolean;

  /** When false (upstream behaviour), only one task of this template runs at a time. */
  @Column({ name: 'allow_parallel_tasks', type: 'boolean', default: false })
  allowParallelTasks!: boolean;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ type: 'varchar', length: 16, default: '' })
  type!: TemplateType;

  @Column({ name: 'start_version', type: 'varchar', length: 255, nullable: true })
  startVersion!: string | null;

  @Column({ name: 'build_template_id', type: 'integer', nullable: true })
  buildTemplateId!: number | null;

  @ManyToOne(() => TemplateEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'build_template_id' })
  buildTemplate?: TemplateEntity;

  @Column({ name: 'view_id', type: 'integer', nullable: true })
  viewId!: number | null;

  @ManyToOne(() => ViewEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'view_id' })
  view?: ViewEntity;

  @Column({ type: 'boolean', default: false })
  autorun!: boolean;

  @Column({ name: 'git_branch', type: 'varchar', length: 255, nullable: true })
  gitBranch!: string | null;

  @Column({ name: 'survey_vars', type: 'jsonb', default: () => "'[]'" })
  surveyVars!: SurveyVar[];

  @Column({ name: 'suppress_success_alerts', type: 'boolean', default: false })
  suppressSuccessAlerts!: boolean;

  @Column({ type: 'varchar', length: 64, default: 'ansible' })
  app!: string;

  @Column({ name: 'runner_tag', type: 'varchar', length: 255, nullable: true })
  runnerTag!: string | null;

  /** Default task parameters (e.g. terraform `plan`, `auto_approve`) and app-specific settings. */
  @Column({ name: 'task_params', type: 'jsonb', nullable: true })
  taskParams!: Record<string, unknown> | null;

  /** Settings of `ssh` and `sftp` templates (validated SshOperationSettings); null for other apps. */
  @Column({ name: 'ssh_options', type: 'jsonb', nullable: true })
  sshOptions!: SshOperationSettings | null;

  @CreateDateColumn({ type: 'timestamptz' })
  created!: Date;

  @OneToMany(() => TemplateVaultEntity, (v) => v.template)
  vaults?: TemplateVaultEntity[];
}

@Entity({ name: 'project__template_vault' })
export class TemplateVaultEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'project_id', type: 'integer' })
  projectId!: number;

  @ManyToOne(() => ProjectEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'project_id' })
  project?: ProjectEntity;

  @Index()
  @Column({ name: 'template_id', type: 'integer' })
  templateId!: number;

  @ManyToOne(() => TemplateEntity, (t) => t.vaults, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'template_id' })
  template?: TemplateEntity;

  @Column({ name: 'vault_key_id', type: 'integer' })
  vaultKeyId!: number;

  @ManyToOne(() => AccessKeyEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'vault_key_id' })
  vaultKey?: AccessKeyEntity;

  @Column({ type: 'varchar', length: 255, nullable: true })
  name!: string | null;
}
