import { EnvironmentSecretType } from '@semaphore/models';
import { type EnvironmentSecretChange, EnvironmentSecretOperation } from '../../wire';
import { planSecretChanges, SecretPlanError } from './environment-secrets';

const { Var, Env } = EnvironmentSecretType;
const { Create, Update, Delete } = EnvironmentSecretOperation;

function change(
  operation: EnvironmentSecretOperation,
  fields: Partial<EnvironmentSecretChange>,
): EnvironmentSecretChange {
  return { id: 0, type: Var, name: 'X', secret: '', operation, ...fields };
}

describe('planSecretChanges', () => {
  const existing = [
    { id: 10, type: Var, name: 'DB_PASS' },
    { id: 11, type: Env, name: 'TOKEN' },
  ];

  it('creates, updates (keeping the value when the secret is empty) and deletes', () => {
    const plan = planSecretChanges(existing, [
      change(Create, { type: Env, name: 'NEW', secret: 's1' }),
      change(Update, { id: 10, type: Var, name: 'DB_PASSWORD', secret: '' }),
      change(Update, { id: 11, type: Env, name: 'TOKEN', secret: 's2' }),
    ]);
    expect(plan).toEqual({
      create: [{ type: Env, name: 'NEW', secret: 's1' }],
      update: [
        { id: 10, type: Var, name: 'DB_PASSWORD', secret: null },
        { id: 11, type: Env, name: 'TOKEN', secret: 's2' },
      ],
      remove: [],
    });
    expect(planSecretChanges(existing, [change(Delete, { id: 11 })]).remove).toEqual([11]);
  });

  it('refuses ids of other environments, repeated ids and duplicate names', () => {
    expect(() => planSecretChanges(existing, [change(Update, { id: 99, name: 'A' })])).toThrow(
      /^secrets\.0\.id must be the id of a secret of this environment/,
    );
    expect(() => planSecretChanges([], [change(Delete, { id: 10 })])).toThrow(SecretPlanError);
    expect(() => planSecretChanges(existing, [change(Delete, { id: 10 }), change(Delete, { id: 10 })])).toThrow(
      /secrets\.1\.id appears more than once/,
    );
    expect(() => planSecretChanges(existing, [change(Create, { type: Var, name: 'DB_PASS' })])).toThrow(
      /two var secrets named DB_PASS/,
    );
    expect(() => planSecretChanges([], [change(Create, { name: 'A' }), change(Create, { name: 'A' })])).toThrow(
      /two var/,
    );
  });

  it('allows reusing a name freed in the same request, and the same name for var and env', () => {
    const plan = planSecretChanges(existing, [
      change(Delete, { id: 10 }),
      change(Create, { type: Var, name: 'DB_PASS', secret: 'x' }),
      change(Create, { type: Env, name: 'DB_PASS', secret: 'y' }),
    ]);
    expect(plan.create).toHaveLength(2);
    expect(plan.remove).toEqual([10]);
  });
});
