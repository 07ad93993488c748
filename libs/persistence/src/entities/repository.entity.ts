import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { AccessKeyEntity } from './access-key.entity';
import { ProjectEntity } from './project.entity';

@Entity({ name: 'project__repository' })
export class RepositoryEntity {
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

  @Column({ name: 'git_url', type: 'text' })
  gitUrl!: string;

  @Column({ name: 'git_branch', type: 'varchar', length: 255, default: '' })
  gitBranch!: string;

  @Column({ name: 'ssh_key_id', type: 'integer' })
  sshKeyId!: number;

  @ManyToOne(() => AccessKeyEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'ssh_key_id' })
  sshKey?: AccessKeyEntity;
}
