import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { OptionEntity } from '@semaphore/persistence';

/** The `option` table: key/value settings (e.g. `apps.ansible.active`). */
@Injectable()
export class OptionsRepository {
  constructor(
    private readonly dataSource: DataSource,
    @InjectRepository(OptionEntity) private readonly options: Repository<OptionEntity>,
  ) {}

  all(): Promise<OptionEntity[]> {
    return this.options.find({ order: { key: 'ASC' } });
  }

  /** Rows whose key starts with `prefix` (compared as text, so `_` and `%` are not wildcards). */
  withPrefix(prefix: string): Promise<OptionEntity[]> {
    return this.options
      .createQueryBuilder('o')
      .where('left(o.key, char_length(:prefix)) = :prefix', { prefix })
      .orderBy('o.key', 'ASC')
      .getMany();
  }

  async set(key: string, value: string): Promise<void> {
    await this.options.upsert({ key, value }, ['key']);
  }

  /** Sets and deletes rows in one transaction. */
  async apply(set: Record<string, string>, remove: string[]): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      const rows = Object.entries(set).map(([key, value]) => ({ key, value }));
      if (rows.length) await em.upsert(OptionEntity, rows, ['key']);
      for (const key of remove) await em.delete(OptionEntity, { key });
    });
  }

  /** Deletes `key` and every `key.*` row below it. */
  async deleteTree(key: string): Promise<void> {
    await this.options
      .createQueryBuilder()
      .delete()
      .from(OptionEntity)
      .where('key = :key OR left(key, char_length(:prefix)) = :prefix', { key, prefix: `${key}.` })
      .execute();
  }
}
