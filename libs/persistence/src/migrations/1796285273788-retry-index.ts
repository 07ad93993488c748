import type { MigrationInterface, QueryRunner } from 'typeorm';

export class RetryIndex1796285273788 implements MigrationInterface {
  name = 'RetryIndex1796285273788';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "IDX_a8bacb04f53ab124e0d6b34c5d" ON "task" ("retry_of_task_id") `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_a8bacb04f53ab124e0d6b34c5d"`);
  }
}
