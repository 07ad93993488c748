import { InventoryType } from '@semaphore/models';
import { inventoryTextProblem } from './inventory-input';

describe('inventoryTextProblem', () => {
  it('checks file paths', () => {
    expect(inventoryTextProblem(InventoryType.File, 'invs/prod/hosts')).toBeNull();
    expect(inventoryTextProblem(InventoryType.File, '../../etc/passwd')).toMatch(/^inventory \(a file path\) .*escape/);
    expect(inventoryTextProblem(InventoryType.File, '/etc/passwd')).toMatch(/relative/);
    expect(inventoryTextProblem(InventoryType.File, '-i')).toMatch(/"-"/);
    expect(inventoryTextProblem(InventoryType.File, '')).toMatch(/empty/);
  });

  it('checks workspace names', () => {
    for (const type of [InventoryType.TerraformWorkspace, InventoryType.TofuWorkspace]) {
      expect(inventoryTextProblem(type, 'default')).toBeNull();
      expect(inventoryTextProblem(type, 'prod-eu.1')).toBeNull();
      expect(inventoryTextProblem(type, '')).toMatch(/^inventory \(a workspace name\) must not be empty/);
      expect(inventoryTextProblem(type, '-chdir=/')).toMatch(/"-"/);
      expect(inventoryTextProblem(type, 'a b')).toMatch(/spaces/);
      expect(inventoryTextProblem(type, 'a/b')).toMatch(/"\/"/);
    }
  });

  it('leaves static inventories as written', () => {
    expect(inventoryTextProblem(InventoryType.Static, '[web]\n10.0.0.1 ansible_user=x\n')).toBeNull();
    expect(inventoryTextProblem(InventoryType.StaticYaml, 'all:\n  hosts: {}\n')).toBeNull();
    expect(inventoryTextProblem(InventoryType.Static, '')).toBeNull();
  });
});
