import { InventoryType, type WireInventory } from '@semaphore/models';
import type { InventoryEntity } from '@semaphore/persistence';
import { compact, readEnum, readNullableInt, readString, wireBody } from './input.wire';

export function toWireInventory(inventory: InventoryEntity): WireInventory {
  return {
    id: inventory.id,
    name: inventory.name,
    project_id: inventory.projectId,
    inventory: inventory.inventory,
    ssh_key_id: inventory.sshKeyId,
    become_key_id: inventory.becomeKeyId,
    type: inventory.type,
    holder_id: inventory.holderId,
    repository_id: inventory.repositoryId,
  };
}

export type InventoryWireFields = Partial<
  Pick<InventoryEntity, 'name' | 'inventory' | 'sshKeyId' | 'becomeKeyId' | 'type' | 'repositoryId'>
>;

/**
 * `id` and `project_id` come from the URL (SECURITY.md §2). `holder_id` is server-owned (set when a terraform template
 * creates its default workspace inventory), so it is not taken from the body either.
 */
export function fromWireInventory(body: unknown): InventoryWireFields {
  const b = wireBody(body);
  return compact({
    name: readString(b, 'name'),
    inventory: readString(b, 'inventory'),
    sshKeyId: readNullableInt(b, 'ssh_key_id'),
    becomeKeyId: readNullableInt(b, 'become_key_id'),
    type: readEnum(b, 'type', InventoryType),
    repositoryId: readNullableInt(b, 'repository_id'),
  });
}
