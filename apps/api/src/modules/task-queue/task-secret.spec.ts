import { randomBytes } from 'node:crypto';
import { SecretCipher } from '../../crypto';
import { hasSealedSecret, openTaskSecret, publicTaskParams, sealTaskSecret, TASK_SECRET_PARAM } from './task-secret';

const cipher = new SecretCipher(randomBytes(32));

describe('task secret in params', () => {
  it('seals the secret under the reserved key, never in plaintext, and opens it again', () => {
    const params = sealTaskSecret(cipher, { plan: true }, { db_password: 'hunter2' });
    expect(Object.keys(params)).toEqual(['plan', TASK_SECRET_PARAM]);
    expect(JSON.stringify(params)).not.toContain('hunter2');
    expect(openTaskSecret(cipher, params)).toEqual({ db_password: 'hunter2' });
  });

  it('stores nothing for an empty secret', () => {
    expect(sealTaskSecret(cipher, {}, {})).toEqual({});
    expect(sealTaskSecret(cipher, { plan: false }, null)).toEqual({ plan: false });
    expect(openTaskSecret(cipher, { plan: false })).toEqual({});
    expect(openTaskSecret(cipher, null)).toEqual({});
  });

  it('drops reserved keys from public params (a client cannot smuggle one in)', () => {
    expect(publicTaskParams({ plan: true, __secret: 'x', __other: 1 })).toEqual({ plan: true });
    expect(sealTaskSecret(cipher, { __secret: 'forged' }, null)).toEqual({});
  });

  it('refuses a tampered secret', () => {
    const params = sealTaskSecret(cipher, {}, { a: 'b' });
    const sealed = params[TASK_SECRET_PARAM] as string;
    const other = new SecretCipher(randomBytes(32));
    expect(() => openTaskSecret(other, { [TASK_SECRET_PARAM]: sealed })).toThrow();
  });

  it('tells whether the sealed secret is still stored, whatever its value', () => {
    expect(hasSealedSecret({ params: null })).toBe(false);
    expect(hasSealedSecret({ params: { plan: true } })).toBe(false);
    expect(hasSealedSecret({ params: sealTaskSecret(cipher, {}, { pw: 'x' }) })).toBe(true);
    expect(hasSealedSecret({ params: { [TASK_SECRET_PARAM]: null } })).toBe(true);
  });
});
