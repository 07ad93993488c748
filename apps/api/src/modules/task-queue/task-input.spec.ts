import { TemplateType } from '@semaphore/models';
import type { CreateTaskDto } from './dto/create-task.dto';
import { parseJsonObjectText, storedArguments, type TemplateOverrides, taskOverrideProblem } from './task-input';

const strict: TemplateOverrides = {
  allowOverrideArgsInTask: false,
  allowOverrideBranchInTask: false,
  allowOverrideInventoryInTask: false,
  inventoryId: 3,
  type: TemplateType.Default,
};
const open: TemplateOverrides = {
  ...strict,
  allowOverrideArgsInTask: true,
  allowOverrideBranchInTask: true,
  allowOverrideInventoryInTask: true,
};

function body(over: Partial<CreateTaskDto> = {}): CreateTaskDto {
  return { template_id: 1, ...over } as CreateTaskDto;
}

describe('taskOverrideProblem', () => {
  it('accepts a plain task', () => {
    expect(taskOverrideProblem(body({ environment: '{"a":1}', secret: '{"pw":"x"}' }), strict, false)).toBeNull();
  });

  it('refuses arguments unless the template allows them; empty lists are fine', () => {
    expect(taskOverrideProblem(body({ arguments: '["-v"]' }), strict, true)).toMatch(/^arguments /);
    expect(taskOverrideProblem(body({ arguments: '[]' }), strict, false)).toBeNull();
    expect(taskOverrideProblem(body({ arguments: '' }), strict, false)).toBeNull();
    expect(taskOverrideProblem(body({ arguments: null }), strict, false)).toBeNull();
    expect(taskOverrideProblem(body({ arguments: '["-v"]' }), open, false)).toBeNull();
  });

  it('refuses a branch unless the template allows it', () => {
    expect(taskOverrideProblem(body({ git_branch: 'dev' }), strict, true)).toMatch(/^git_branch /);
    expect(taskOverrideProblem(body({ git_branch: 'dev' }), open, false)).toBeNull();
    expect(taskOverrideProblem(body({ git_branch: '' }), strict, false)).toBeNull();
  });

  it("refuses another inventory unless allowed; the template's own is fine", () => {
    expect(taskOverrideProblem(body({ inventory_id: 4 }), strict, true)).toMatch(/^inventory_id /);
    expect(taskOverrideProblem(body({ inventory_id: 3 }), strict, false)).toBeNull();
    expect(taskOverrideProblem(body({ inventory_id: 4 }), open, false)).toBeNull();
  });

  it('accepts build_task_id for deploy templates only', () => {
    expect(taskOverrideProblem(body({ build_task_id: 9 }), strict, true)).toMatch(/^build_task_id /);
    expect(taskOverrideProblem(body({ build_task_id: 9 }), { ...strict, type: TemplateType.Deploy }, false)).toBeNull();
  });

  it('refuses dangerous extra vars from task runners, in environment and in secret (SECURITY.md §5)', () => {
    const env = body({ environment: '{"ansible_connection":"local","x":1}' });
    expect(taskOverrideProblem(env, strict, false)).toMatch(/^environment must not set ansible_connection/);
    const secret = body({ secret: '{"ansible_ssh_common_args":"-o ProxyCommand=sh"}' });
    expect(taskOverrideProblem(secret, strict, false)).toMatch(/^secret must not set ansible_ssh_common_args/);
    expect(taskOverrideProblem(body({ environment: '{"ANSIBLE_PYTHON_INTERPRETER":"/x"}' }), strict, false)).toMatch(
      /ANSIBLE_PYTHON_INTERPRETER/,
    );
  });

  it('lets managers, and templates that allow overrides, set them', () => {
    const env = body({ environment: '{"ansible_connection":"local"}' });
    expect(taskOverrideProblem(env, strict, true)).toBeNull();
    expect(taskOverrideProblem(env, open, false)).toBeNull();
  });
});

describe('storedArguments', () => {
  it('keeps the text only when the template allows arguments', () => {
    expect(storedArguments(body({ arguments: '["-v"]' }), open)).toBe('["-v"]');
    expect(storedArguments(body({ arguments: '[]' }), strict)).toBeNull();
    expect(storedArguments(body({ arguments: '' }), open)).toBeNull();
    expect(storedArguments(body(), open)).toBeNull();
  });
});

describe('parseJsonObjectText', () => {
  it('reads objects, empty means {}', () => {
    expect(parseJsonObjectText('{"a":1}')).toEqual({ a: 1 });
    expect(parseJsonObjectText('')).toEqual({});
    expect(parseJsonObjectText(undefined)).toEqual({});
    expect(() => parseJsonObjectText('[1]')).toThrow();
  });
});
