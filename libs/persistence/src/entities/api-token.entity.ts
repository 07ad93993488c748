import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UserEntity } from './user.entity';

/** API token. Only a SHA-256 hash of the token is stored; `id` is that hash. */
@Entity({ name: 'user__token' })
export class ApiTokenEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Index()
  @Column({ name: 'user_id', type: 'integer' })
  userId!: number;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: UserEntity;

  @CreateDateColumn({ type: 'timestamptz' })
  created!: Date;

  @Column({ type: 'boolean', default: false })
  expired!: boolean;

  /** First characters of the token, shown to the user to tell tokens apart. */
  @Column({ type: 'varchar', length: 16, default: '' })
  prefix!: string;
}
