import { InventoryType } from '@semaphore/models';
import type { InventoryEntity } from '@semaphore/persistence';
import { fromWireInventory, toWireInventory } from './inventory.wire';

describe('inventory wire', () => {
  it('GET P/inventory/3 matches Appendix A', () => {
    const inventory: InventoryEntity = {
      id: 3,
      name: 'Prod',
      projectId: 1,
      inventory: 'invs/prod/hosts',
      sshKeyId: 1,
      becomeKeyId: null,
      type: InventoryType.File,
      holderId: null,
      repositoryId: null,
      runnerTag: 'eu',
    };
    expect(JSON.stringify(toWireInventory(inventory))).toBe(
      '{"id":3,"name":"Prod","project_id":1,"inventory":"invs/prod/hosts","ssh_key_id":1,"become_key_id":null,' +
        '"type":"file","holder_id":null,"repository_id":null}',
    );
  });

  it('reads a body: nullable ids, known types only, no holder/project/id', () => {
    const body = {
      id: 3,
      project_id: 2,
      name: 'I',
      inventory: '[all]',
      ssh_key_id: null,
      become_key_id: 2,
      type: 'static',
      holder_id: 7,
      repository_id: null,
    };
    expect(fromWireInventory(body)).toEqual({
      name: 'I',
      inventory: '[all]',
      sshKeyId: null,
      becomeKeyId: 2,
      type: InventoryType.Static,
      repositoryId: null,
    });
    expect(fromWireInventory({ type: 'dynamic' })).toEqual({});
  });
});
