import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Key/value settings that overlay the configuration (e.g. `apps.ansible.active`). */
@Entity({ name: 'option' })
export class OptionEntity {
  @PrimaryColumn({ type: 'varchar', length: 255 })
  key!: string;

  @Column({ type: 'text' })
  value!: string;
}
