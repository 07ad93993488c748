import { Column, Entity, Index, JoinColumn, ManyToOne, OneToMany, PrimaryGeneratedColumn } from 'typeorm';
import { EnvironmentSecretType } from '@semaphore/models';
import { ProjectEntity } from './project.entity';

@Entity({ name: 'project__environment' })
export class EnvironmentEntity {
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

  @Column({ type: 'varchar', length: 255, nullable: true })
  password!: string | null;

  /** JSON object text: extra variables. */
  @Column({ type: 'text', default: '{}' })
  json!: string;

  /** JSON object text: environment variables. */
  @Column({ type: 'text', nullable: true })
  env!: string | null;

  @OneToMany(() => EnvironmentSecretEntity, (s) => s.environment)
  secrets?: EnvironmentSecretEntity[];
}

/** A secret variable of an environment; the value is AES-256-GCM ciphertext. */
@Entity({ name: 'project__environment_secret' })
@Index(['environmentId', 'type', 'name'], { unique: true })
export class EnvironmentSecretEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'environment_id', type: 'integer' })
  environmentId!: number;

  @ManyToOne(() => EnvironmentEntity, (e) => e.secrets, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'environment_id' })
  environment?: EnvironmentEntity;

  @Column({ type: 'varchar', length: 8 })
  type!: EnvironmentSecretType;

  @Column({ type: 'varchar', length: 255 })
  name!: string;

  @Column({ type: 'text' })
  secret!: string;
}
