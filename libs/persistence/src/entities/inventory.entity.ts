import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { InventoryType } from '@semaphore/models';
import { AccessKeyEntity } from './access-key.entity';
import { ProjectEntity } from './project.entity';
import { RepositoryEntity } from './repository.entity';

@Entity({ name: 'project__inventory' })
export class InventoryEntity {
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

  @Column({ type: 'varchar', length: 32 })
  type!: InventoryType;

  /** Static inventory text, a file path, or a workspace name, depending on `type`. */
  @Column({ type: 'text', default: '' })
  inventory!: string;

  @Column({ name: 'ssh_key_id', type: 'integer', nullable: true })
  sshKeyId!: number | null;

  @ManyToOne(() => AccessKeyEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'ssh_key_id' })
  sshKey?: AccessKeyEntity;

  @Column({ name: 'become_key_id', type: 'integer', nullable: true })
  becomeKeyId!: number | null;

  @ManyToOne(() => AccessKeyEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'become_key_id' })
  becomeKey?: AccessKeyEntity;

  /** The template that owns this inventory (terraform default workspaces). Not a foreign key: templates reference inventories. */
  @Column({ name: 'holder_id', type: 'integer', nullable: true })
  holderId!: number | null;

  @Column({ name: 'repository_id', type: 'integer', nullable: true })
  repositoryId!: number | null;

  @ManyToOne(() => RepositoryEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'repository_id' })
  repository?: RepositoryEntity;

  @Column({ name: 'runner_tag', type: 'varchar', length: 255, nullable: true })
  runnerTag!: string | null;
}
