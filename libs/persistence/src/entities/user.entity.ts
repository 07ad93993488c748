import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'user' })
@Index('user_username_lower_idx', { synchronize: false })
@Index('user_email_lower_idx', { synchronize: false })
export class UserEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @CreateDateColumn({ type: 'timestamptz' })
  created!: Date;

  @Column({ type: 'varchar', length: 255 })
  username!: string;

  @Column({ type: 'varchar', length: 255 })
  name!: string;

  @Column({ type: 'varchar', length: 255 })
  email!: string;

  /** bcrypt hash; never serialized. Empty for external (LDAP/OIDC) users. */
  @Column({ type: 'varchar', length: 255, default: '' })
  password!: string;

  @Column({ type: 'boolean', default: false })
  admin!: boolean;

  @Column({ type: 'boolean', default: false })
  external!: boolean;

  @Column({ type: 'boolean', default: false })
  alert!: boolean;

  /** TOTP secret, encrypted like access keys; null when 2FA is off. */
  @Column({ name: 'totp_secret', type: 'text', nullable: true })
  totpSecret!: string | null;

  /** bcrypt hashes of the unused recovery codes. */
  @Column({ name: 'totp_recovery_hashes', type: 'jsonb', default: () => "'[]'" })
  totpRecoveryHashes!: string[];
}
