import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { UserEntity } from './user.entity';

@Entity({ name: 'session' })
export class SessionEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Index()
  @Column({ name: 'user_id', type: 'integer' })
  userId!: number;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: UserEntity;

  @CreateDateColumn({ type: 'timestamptz' })
  created!: Date;

  @Column({ name: 'last_active', type: 'timestamptz' })
  lastActive!: Date;

  @Column({ type: 'varchar', length: 64, default: '' })
  ip!: string;

  @Column({ name: 'user_agent', type: 'text', default: '' })
  userAgent!: string;

  @Column({ type: 'boolean', default: false })
  expired!: boolean;

  /** false until the second factor is given, for users with TOTP. */
  @Column({ type: 'boolean', default: true })
  verified!: boolean;
}
