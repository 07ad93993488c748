import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { AccessKeyType } from '@semaphore/models';
import { ProjectEntity } from './project.entity';

/** An access key. `secret` holds the AES-256-GCM ciphertext of the key material (null for `none`). */
@Entity({ name: 'access_key' })
export class AccessKeyEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Index()
  @Column({ name: 'project_id', type: 'integer', nullable: true })
  projectId!: number | null;

  @ManyToOne(() => ProjectEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'project_id' })
  project?: ProjectEntity;

  @Column({ type: 'varchar', length: 255 })
  name!: string;

  @Column({ type: 'varchar', length: 32 })
  type!: AccessKeyType;

  @Column({ type: 'text', nullable: true })
  secret!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  created!: Date;
}
