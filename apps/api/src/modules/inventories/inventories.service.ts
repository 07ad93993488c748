import { Injectable } from '@nestjs/common';
import { AccessKeyType, type WireInventory } from '@semaphore/models';
import type { InventoryEntity, ProjectEntity, UserEntity } from '@semaphore/persistence';
import { badRequest, inUse, notFound } from '../../common/api-errors';
import type { ListOrder } from '../../common/validators';
import { fromWireInventory, toWireInventory } from '../../wire';
import { EventsService } from '../events/events.service';
import { isForeignKeyViolation, isReferenced, type ObjectRefs } from '../keys/object-refs';
import type { InventoryDto } from './dto/inventory.dto';
import { InventoriesRepository, type InventoryRow, type InventorySort } from './inventories.repository';
import { inventoryTextProblem } from './inventory-input';

/** Keys that can log in to hosts (reference §4, AccessKeyRoleAnsibleUser). */
const LOGIN_KEY_TYPES: readonly AccessKeyType[] = [AccessKeyType.None, AccessKeyType.Ssh, AccessKeyType.LoginPassword];
/** Keys usable for `become` (reference §4: an ssh key is an error there). */
const BECOME_KEY_TYPES: readonly AccessKeyType[] = [AccessKeyType.None, AccessKeyType.LoginPassword];

@Injectable()
export class InventoriesService {
  constructor(
    private readonly repo: InventoriesRepository,
    private readonly events: EventsService,
  ) {}

  async list(projectId: number, order: ListOrder<InventorySort>): Promise<WireInventory[]> {
    return (await this.repo.list(projectId, order)).map(toWireInventory);
  }

  /** An inventory of the project, or 404 (also for another project's inventory). */
  async get(projectId: number, id: number): Promise<InventoryEntity> {
    const inventory = await this.repo.findInProject(projectId, id);
    if (!inventory) throw notFound('Inventory');
    return inventory;
  }

  async create(project: ProjectEntity, user: UserEntity, dto: InventoryDto): Promise<WireInventory> {
    checkBodyIds(dto, project.id, null);
    const row = await this.checkedRow(project.id, dto);
    const inventory = await this.repo.create(project.id, row);
    await this.log(project, user, inventory, 'created');
    return toWireInventory(inventory);
  }

  async update(project: ProjectEntity, user: UserEntity, id: number, dto: InventoryDto): Promise<void> {
    const inventory = await this.get(project.id, id);
    checkBodyIds(dto, project.id, id);
    const row = await this.checkedRow(project.id, dto);
    await this.repo.update(inventory, row);
    await this.log(project, user, { id: inventory.id, name: row.name }, 'updated');
  }

  async delete(project: ProjectEntity, user: UserEntity, id: number): Promise<void> {
    const inventory = await this.get(project.id, id);
    if (isReferenced(await this.repo.refs(project.id, inventory.id))) throw inUse('Inventory');
    try {
      await this.repo.delete(inventory);
    } catch (err) {
      if (isForeignKeyViolation(err)) throw inUse('Inventory');
      throw err;
    }
    await this.log(project, user, inventory, 'deleted');
  }

  async refs(projectId: number, id: number): Promise<ObjectRefs> {
    const inventory = await this.get(projectId, id);
    return this.repo.refs(projectId, inventory.id);
  }

  /** The inventory text for its type, and every referenced id in this project (SECURITY.md §2, §3). */
  private async checkedRow(projectId: number, dto: InventoryDto): Promise<InventoryRow> {
    const fields = fromWireInventory(dto);
    const row: InventoryRow = {
      name: fields.name ?? dto.name,
      type: fields.type ?? dto.type,
      inventory: fields.inventory ?? '',
      sshKeyId: fields.sshKeyId ?? null,
      becomeKeyId: fields.becomeKeyId ?? null,
      repositoryId: fields.repositoryId ?? null,
    };
    const problem = inventoryTextProblem(row.type, row.inventory);
    if (problem) throw badRequest(problem);
    await this.checkKey(projectId, 'ssh_key_id', row.sshKeyId, LOGIN_KEY_TYPES);
    await this.checkKey(projectId, 'become_key_id', row.becomeKeyId, BECOME_KEY_TYPES);
    if (row.repositoryId !== null && !(await this.repo.repositoryInProject(projectId, row.repositoryId))) {
      throw badRequest('repository_id must be the id of a repository of this project');
    }
    return row;
  }

  private async checkKey(projectId: number, field: string, keyId: number | null, types: readonly AccessKeyType[]) {
    if (keyId === null) return;
    const type = await this.repo.keyTypeInProject(projectId, keyId);
    if (type === null) throw badRequest(`${field} must be the id of an access key of this project`);
    if (!types.includes(type)) throw badRequest(`${field} must be a key of type ${types.join(' or ')}, not ${type}`);
  }

  private log(project: ProjectEntity, user: UserEntity, inventory: Pick<InventoryEntity, 'id' | 'name'>, verb: string) {
    return this.events.log({
      projectId: project.id,
      userId: user.id,
      objectType: 'inventory',
      objectId: inventory.id,
      description: `Inventory ${inventory.name} ${verb}`,
    });
  }
}

/** A body cannot name another project or inventory than the URL (SECURITY.md §2). */
function checkBodyIds(dto: InventoryDto, projectId: number, id: number | null): void {
  if (dto.project_id !== undefined && dto.project_id !== null && dto.project_id !== 0 && dto.project_id !== projectId) {
    throw badRequest('project_id in the body must be the project of the URL');
  }
  if (id !== null && dto.id !== undefined && dto.id !== 0 && dto.id !== id) {
    throw badRequest('id in the body must be the inventory id of the URL');
  }
}
