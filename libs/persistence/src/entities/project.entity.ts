import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'project' })
export class ProjectEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @CreateDateColumn({ type: 'timestamptz' })
  created!: Date;

  @Column({ type: 'varchar', length: 255 })
  name!: string;

  @Column({ type: 'boolean', default: false })
  alert!: boolean;

  @Column({ name: 'alert_chat', type: 'varchar', length: 255, nullable: true })
  alertChat!: string | null;

  @Column({ name: 'max_parallel_tasks', type: 'integer', default: 0 })
  maxParallelTasks!: number;

  @Column({ type: 'varchar', length: 64, default: '' })
  type!: string;
}
