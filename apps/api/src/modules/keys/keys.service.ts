import { Injectable } from '@nestjs/common';
import { AccessKeyType, type WireAccessKey } from '@semaphore/models';
import type { AccessKeyEntity, ProjectEntity, UserEntity } from '@semaphore/persistence';
import { badRequest, inUse, notFound } from '../../common/api-errors';
import type { ListOrder } from '../../common/validators';
import { SecretCipher } from '../../crypto';
import { accessKeySecretFromWire, fromWireAccessKey, toWireAccessKey } from '../../wire';
import { EventsService } from '../events/events.service';
import type { AccessKeyDto } from './dto/access-key.dto';
import { type KeySort, KeysRepository } from './keys.repository';
import { isForeignKeyViolation, isReferenced, type ObjectRefs } from './object-refs';
import { sshPrivateKeyProblem } from './ssh-private-key';

@Injectable()
export class KeysService {
  constructor(
    private readonly repo: KeysRepository,
    private readonly cipher: SecretCipher,
    private readonly events: EventsService,
  ) {}

  async list(projectId: number, order: ListOrder<KeySort>): Promise<WireAccessKey[]> {
    return (await this.repo.list(projectId, order)).map(toWireAccessKey);
  }

  /** A key of the project, or 404 (also for another project's key and for global keys). */
  async get(projectId: number, id: number): Promise<AccessKeyEntity> {
    const key = await this.repo.findInProject(projectId, id);
    if (!key) throw notFound('Access Key');
    return key;
  }

  async create(project: ProjectEntity, user: UserEntity, dto: AccessKeyDto): Promise<void> {
    checkBodyIds(dto, project.id, null);
    const { name, type } = requiredFields(dto);
    const key = await this.repo.create(project.id, { name, type, secret: this.encryptedSecret(dto, type) });
    await this.log(project, user, key, 'created');
  }

  /** Only the name changes, unless `override_secret` is true: then the type and the secret are replaced too. */
  async update(project: ProjectEntity, user: UserEntity, id: number, dto: AccessKeyDto): Promise<void> {
    const key = await this.get(project.id, id);
    checkBodyIds(dto, project.id, id);
    if (dto.override_secret === true) {
      const { name, type } = requiredFields(dto);
      await this.repo.update(key, { name, type, secret: this.encryptedSecret(dto, type) });
    } else {
      await this.repo.update(key, { name: dto.name });
    }
    await this.log(project, user, { id: key.id, name: dto.name }, 'updated');
  }

  async delete(project: ProjectEntity, user: UserEntity, id: number): Promise<void> {
    const key = await this.get(project.id, id);
    if (isReferenced(await this.repo.refs(project.id, key.id))) throw inUse('Access Key');
    try {
      await this.repo.delete(key);
    } catch (err) {
      if (isForeignKeyViolation(err)) throw inUse('Access Key');
      throw err;
    }
    await this.log(project, user, key, 'deleted');
  }

  async refs(projectId: number, id: number): Promise<ObjectRefs> {
    const key = await this.get(projectId, id);
    return this.repo.refs(projectId, key.id);
  }

  /** The ciphertext for `access_key.secret` (null for `none`), after checking the fields the type needs. */
  private encryptedSecret(dto: AccessKeyDto, type: AccessKeyType): string | null {
    const secret = accessKeySecretFromWire(dto);
    if (type === AccessKeyType.None || secret === null) return null;
    if (secret.type === AccessKeyType.Ssh) {
      if (secret.value.private_key === '') throw badRequest('ssh.private_key is required for an ssh key');
      const problem = sshPrivateKeyProblem(secret.value.private_key, secret.value.passphrase);
      if (problem) throw badRequest(problem);
    } else if (secret.type === AccessKeyType.LoginPassword) {
      if (secret.value.password === '') {
        throw badRequest('login_password.password is required for a login_password key');
      }
    } else {
      throw badRequest('type string is internal and cannot be set by clients');
    }
    return this.cipher.encryptAccessKeySecret(secret);
  }

  /** The description names the key only: never its secret. */
  private log(project: ProjectEntity, user: UserEntity, key: Pick<AccessKeyEntity, 'id' | 'name'>, verb: string) {
    return this.events.log({
      projectId: project.id,
      userId: user.id,
      objectType: 'key',
      objectId: key.id,
      description: `Access Key ${key.name} ${verb}`,
    });
  }
}

function requiredFields(dto: AccessKeyDto): { name: string; type: AccessKeyType } {
  const { name, type } = fromWireAccessKey(dto);
  if (type === undefined) throw badRequest('type is required (none, ssh or login_password)');
  return { name: name ?? dto.name, type };
}

/** A body cannot name another project or key than the URL (upstream's body-driven update is not copied). */
function checkBodyIds(dto: AccessKeyDto, projectId: number, id: number | null): void {
  if (dto.project_id !== undefined && dto.project_id !== null && dto.project_id !== 0 && dto.project_id !== projectId) {
    throw badRequest('project_id in the body must be the project of the URL');
  }
  if (id !== null && dto.id !== undefined && dto.id !== 0 && dto.id !== id) {
    throw badRequest('id in the body must be the key id of the URL');
  }
}
