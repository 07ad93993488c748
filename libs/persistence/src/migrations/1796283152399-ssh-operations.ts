import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SshOperations1796283152399 implements MigrationInterface {
  name = 'SshOperations1796283152399';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "project__template" ADD "ssh_options" jsonb`);
    await queryRunner.query(`ALTER TABLE "task" ADD "retry_of_task_id" integer`);
    await queryRunner.query(`ALTER TABLE "task" ADD "progress" jsonb`);
    await queryRunner.query(`ALTER TABLE "task" ADD CONSTRAINT "FK_a8bacb04f53ab124e0d6b34c5d2" FOREIGN KEY ("retry_of_task_id") REFERENCES "task"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "task" DROP CONSTRAINT "FK_a8bacb04f53ab124e0d6b34c5d2"`);
    await queryRunner.query(`ALTER TABLE "task" DROP COLUMN "progress"`);
    await queryRunner.query(`ALTER TABLE "task" DROP COLUMN "retry_of_task_id"`);
    await queryRunner.query(`ALTER TABLE "project__template" DROP COLUMN "ssh_options"`);
  }
}
