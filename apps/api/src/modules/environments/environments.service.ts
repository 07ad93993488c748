import { Injectable } from '@nestjs/common';
import type { WireEnvironment } from '@semaphore/models';
import type { EnvironmentEntity, ProjectEntity, UserEntity } from '@semaphore/persistence';
import { QueryFailedError } from 'typeorm';
import { badRequest, inUse, notFound } from '../../common/api-errors';
import type { ListOrder } from '../../common/validators';
import { SecretCipher } from '../../crypto';
import { environmentSecretsFromWire, fromWireEnvironment, toWireEnvironment } from '../../wire';
import { EventsService } from '../events/events.service';
import { isForeignKeyViolation, isReferenced, type ObjectRefs } from '../keys/object-refs';
import type { EnvironmentDto } from './dto/environment.dto';
import { type ExistingSecret, planSecretChanges, type SecretPlan, SecretPlanError } from './environment-secrets';
import { type EnvironmentRow, EnvironmentsRepository, type EnvironmentSort } from './environments.repository';

@Injectable()
export class EnvironmentsService {
  constructor(
    private readonly repo: EnvironmentsRepository,
    private readonly cipher: SecretCipher,
    private readonly events: EventsService,
  ) {}

  /** Lists send `secrets: null`, as upstream. */
  async list(projectId: number, order: ListOrder<EnvironmentSort>): Promise<WireEnvironment[]> {
    return (await this.repo.list(projectId, order)).map((e) => toWireEnvironment(e, { form: 'list' }));
  }

  /** An environment of the project, or 404 (also for another project's environment). */
  async get(projectId: number, id: number): Promise<EnvironmentEntity> {
    const environment = await this.repo.findInProject(projectId, id);
    if (!environment) throw notFound('Environment');
    return environment;
  }

  /** The single form: secrets listed with blank values. */
  async getWire(projectId: number, id: number): Promise<WireEnvironment> {
    const environment = await this.get(projectId, id);
    const secrets = await this.repo.secretsOf(environment.id);
    return toWireEnvironment(environment, { form: 'single', secrets });
  }

  async create(project: ProjectEntity, user: UserEntity, dto: EnvironmentDto): Promise<void> {
    checkBodyIds(dto, project.id, null);
    const plan = this.encryptedPlan([], dto);
    const environment = await this.withUniqueSecrets(() => this.repo.create(project.id, rowOf(dto), plan));
    await this.log(project, user, environment, 'created');
  }

  async update(project: ProjectEntity, user: UserEntity, id: number, dto: EnvironmentDto): Promise<void> {
    const environment = await this.get(project.id, id);
    checkBodyIds(dto, project.id, id);
    const plan = this.encryptedPlan(await this.repo.secretsOf(environment.id), dto);
    const row = rowOf(dto);
    await this.withUniqueSecrets(() => this.repo.update(environment, row, plan));
    await this.log(project, user, { id: environment.id, name: row.name }, 'updated');
  }

  async delete(project: ProjectEntity, user: UserEntity, id: number): Promise<void> {
    const environment = await this.get(project.id, id);
    if (isReferenced(await this.repo.refs(project.id, environment.id))) throw inUse('Environment');
    try {
      await this.repo.delete(environment);
    } catch (err) {
      if (isForeignKeyViolation(err)) throw inUse('Environment');
      throw err;
    }
    await this.log(project, user, environment, 'deleted');
  }

  async refs(projectId: number, id: number): Promise<ObjectRefs> {
    const environment = await this.get(projectId, id);
    return this.repo.refs(projectId, environment.id);
  }

  /** The checked secret operations of the body with every value encrypted (SecretCipher, AES-256-GCM). */
  private encryptedPlan(existing: readonly ExistingSecret[], dto: EnvironmentDto): SecretPlan {
    let plan: SecretPlan;
    try {
      plan = planSecretChanges(existing, environmentSecretsFromWire(dto) ?? []);
    } catch (err) {
      if (err instanceof SecretPlanError) throw badRequest(err.message);
      throw err;
    }
    return {
      create: plan.create.map((s) => ({ ...s, secret: this.cipher.encrypt(s.secret) })),
      update: plan.update.map((s) => ({ ...s, secret: s.secret === null ? null : this.cipher.encrypt(s.secret) })),
      remove: plan.remove,
    };
  }

  /** Concurrent requests can still collide on the unique (environment, type, name) index: a 400, not a 500. */
  private async withUniqueSecrets<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (err) {
      const code: unknown = err instanceof QueryFailedError ? (err.driverError as { code?: unknown }).code : undefined;
      if (code === '23505') throw badRequest('secrets: two secrets of the same type would have the same name');
      throw err;
    }
  }

  /** The description names the environment only: never a secret. */
  private log(
    project: ProjectEntity,
    user: UserEntity,
    environment: Pick<EnvironmentEntity, 'id' | 'name'>,
    verb: string,
  ) {
    return this.events.log({
      projectId: project.id,
      userId: user.id,
      objectType: 'environment',
      objectId: environment.id,
      description: `Environment ${environment.name} ${verb}`,
    });
  }
}

/** `json` defaults to '{}'; `env` '' is null; the legacy `password` is never stored (docs/compatibility.md). */
function rowOf(dto: EnvironmentDto): EnvironmentRow {
  const fields = fromWireEnvironment(dto);
  return {
    name: fields.name ?? dto.name,
    json: fields.json ?? '{}',
    env: fields.env ? fields.env : null,
    password: null,
  };
}

/** A body cannot name another project or environment than the URL (SECURITY.md §2). */
function checkBodyIds(dto: EnvironmentDto, projectId: number, id: number | null): void {
  if (dto.project_id !== undefined && dto.project_id !== null && dto.project_id !== 0 && dto.project_id !== projectId) {
    throw badRequest('project_id in the body must be the project of the URL');
  }
  if (id !== null && dto.id !== undefined && dto.id !== 0 && dto.id !== id) {
    throw badRequest('id in the body must be the environment id of the URL');
  }
}
