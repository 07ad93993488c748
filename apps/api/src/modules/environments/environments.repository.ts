import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, Repository } from 'typeorm';
import { EnvironmentEntity, EnvironmentSecretEntity, TemplateEntity } from '@semaphore/persistence';
import type { ListOrder } from '../../common/validators';
import { type ObjectRefs, uniqueRefs } from '../keys/object-refs';
import type { SecretPlan } from './environment-secrets';

export const ENVIRONMENT_SORT_COLUMNS = ['name'] as const;
export type EnvironmentSort = (typeof ENVIRONMENT_SORT_COLUMNS)[number];

export type EnvironmentRow = Pick<EnvironmentEntity, 'name' | 'json' | 'env' | 'password'>;

/** A secret plan whose values are already ciphertext. */
export type EncryptedSecretPlan = SecretPlan;

/** Every query of the environments feature. */
@Injectable()
export class EnvironmentsRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(EnvironmentEntity) private readonly environments: Repository<EnvironmentEntity>,
    @InjectRepository(EnvironmentSecretEntity) private readonly secrets: Repository<EnvironmentSecretEntity>,
  ) {}

  list(projectId: number, order: ListOrder<EnvironmentSort>): Promise<EnvironmentEntity[]> {
    const direction = order.desc ? 'DESC' : 'ASC';
    return this.environments.find({ where: { projectId }, order: { [order.sort]: direction, id: direction } });
  }

  findInProject(projectId: number, id: number): Promise<EnvironmentEntity | null> {
    return this.environments.findOneBy({ id, projectId });
  }

  /** The secrets of an environment, without their values (never read for the API). */
  secretsOf(environmentId: number): Promise<EnvironmentSecretEntity[]> {
    return this.secrets.find({
      select: { id: true, environmentId: true, type: true, name: true },
      where: { environmentId },
      order: { id: 'ASC' },
    });
  }

  create(projectId: number, row: EnvironmentRow, plan: EncryptedSecretPlan): Promise<EnvironmentEntity> {
    return this.dataSource.transaction(async (em) => {
      const environments = em.getRepository(EnvironmentEntity);
      const environment = await environments.save(environments.create({ ...row, projectId }));
      await applyPlan(em.getRepository(EnvironmentSecretEntity), environment.id, plan);
      return environment;
    });
  }

  async update(environment: EnvironmentEntity, row: EnvironmentRow, plan: EncryptedSecretPlan): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      await em.getRepository(EnvironmentEntity).update({ id: environment.id, projectId: environment.projectId }, row);
      await applyPlan(em.getRepository(EnvironmentSecretEntity), environment.id, plan);
    });
  }

  /** Its secrets go with it (ON DELETE CASCADE). */
  async delete(environment: EnvironmentEntity): Promise<void> {
    await this.environments.delete({ id: environment.id, projectId: environment.projectId });
  }

  async refs(projectId: number, environmentId: number): Promise<ObjectRefs> {
    const templates = await this.dataSource
      .getRepository(TemplateEntity)
      .find({ select: { id: true, name: true }, where: { projectId, environmentId } });
    return { templates: uniqueRefs(templates), inventories: [], repositories: [], schedules: [] };
  }
}

/** Deletes, then updates, then inserts, every statement scoped to the environment. */
async function applyPlan(
  secrets: Repository<EnvironmentSecretEntity>,
  environmentId: number,
  plan: EncryptedSecretPlan,
): Promise<void> {
  if (plan.remove.length) await secrets.delete({ environmentId, id: In(plan.remove) });
  for (const item of plan.update) {
    await secrets.update({ id: item.id, environmentId }, { type: item.type, name: item.name, ...secretOf(item) });
  }
  if (plan.create.length) {
    await secrets.insert(
      plan.create.map((item) => ({ environmentId, type: item.type, name: item.name, secret: item.secret })),
    );
  }
}

function secretOf(item: { secret: string | null }): { secret?: string } {
  return item.secret === null ? {} : { secret: item.secret };
}
