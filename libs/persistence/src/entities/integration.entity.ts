import { Column, Entity, Index, JoinColumn, ManyToOne, OneToMany, PrimaryGeneratedColumn } from 'typeorm';
import {
  IntegrationAuthMethod,
  IntegrationBodyDataType,
  IntegrationMatchMethod,
  IntegrationMatchType,
} from '@semaphore/models';
import { AccessKeyEntity } from './access-key.entity';
import { ProjectEntity } from './project.entity';
import { TemplateEntity } from './template.entity';

@Entity({ name: 'project__integration' })
export class IntegrationEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Index()
  @Column({ name: 'project_id', type: 'integer' })
  projectId!: number;

  @ManyToOne(() => ProjectEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'project_id' })
  project?: ProjectEntity;

  @Column({ type: 'varchar', length: 255 })
  name!: string;

  @Column({ name: 'template_id', type: 'integer' })
  templateId!: number;

  @ManyToOne(() => TemplateEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'template_id' })
  template?: TemplateEntity;

  @Column({ name: 'auth_method', type: 'varchar', length: 16, default: '' })
  authMethod!: IntegrationAuthMethod;

  @Column({ name: 'auth_secret_id', type: 'integer', nullable: true })
  authSecretId!: number | null;

  @ManyToOne(() => AccessKeyEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'auth_secret_id' })
  authSecret?: AccessKeyEntity;

  @Column({ name: 'auth_header', type: 'varchar', length: 255, default: '' })
  authHeader!: string;

  @Column({ type: 'boolean', default: false })
  searchable!: boolean;

  @Column({ name: 'task_params', type: 'jsonb', nullable: true })
  taskParams!: Record<string, unknown> | null;

  @OneToMany(() => IntegrationMatcherEntity, (m) => m.integration)
  matchers?: IntegrationMatcherEntity[];

  @OneToMany(() => IntegrationExtractValueEntity, (v) => v.integration)
  extractValues?: IntegrationExtractValueEntity[];
}

@Entity({ name: 'project__integration_matcher' })
export class IntegrationMatcherEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Index()
  @Column({ name: 'integration_id', type: 'integer' })
  integrationId!: number;

  @ManyToOne(() => IntegrationEntity, (i) => i.matchers, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'integration_id' })
  integration?: IntegrationEntity;

  @Column({ type: 'varchar', length: 255 })
  name!: string;

  @Column({ name: 'match_type', type: 'varchar', length: 16 })
  matchType!: IntegrationMatchType;

  @Column({ type: 'varchar', length: 16 })
  method!: IntegrationMatchMethod;

  @Column({ name: 'body_data_type', type: 'varchar', length: 16, default: 'json' })
  bodyDataType!: IntegrationBodyDataType;

  @Column({ type: 'varchar', length: 255 })
  key!: string;

  @Column({ type: 'text' })
  value!: string;
}

@Entity({ name: 'project__integration_extract_value' })
export class IntegrationExtractValueEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Index()
  @Column({ name: 'integration_id', type: 'integer' })
  integrationId!: number;

  @ManyToOne(() => IntegrationEntity, (i) => i.extractValues, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'integration_id' })
  integration?: IntegrationEntity;

  @Column({ type: 'varchar', length: 255 })
  name!: string;

  @Column({ name: 'value_source', type: 'varchar', length: 16 })
  valueSource!: IntegrationMatchType;

  @Column({ name: 'body_data_type', type: 'varchar', length: 16, default: 'json' })
  bodyDataType!: IntegrationBodyDataType;

  @Column({ type: 'varchar', length: 255 })
  key!: string;

  @Column({ type: 'varchar', length: 255 })
  variable!: string;
}

/** A public webhook alias: project-level when `integration_id` is null. */
@Entity({ name: 'project__integration_alias' })
export class IntegrationAliasEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Index({ unique: true })
  @Column({ type: 'varchar', length: 64 })
  alias!: string;

  @Index()
  @Column({ name: 'project_id', type: 'integer' })
  projectId!: number;

  @ManyToOne(() => ProjectEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'project_id' })
  project?: ProjectEntity;

  @Column({ name: 'integration_id', type: 'integer', nullable: true })
  integrationId!: number | null;

  @ManyToOne(() => IntegrationEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'integration_id' })
  integration?: IntegrationEntity;
}
