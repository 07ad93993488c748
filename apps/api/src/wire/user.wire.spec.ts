import type { UserEntity } from '@semaphore/persistence';
import {
  fromWireUser,
  passwordFromWireUser,
  toWireCurrentUser,
  toWireTotpEnrollment,
  toWireUser,
  toWireUserSummary,
} from './user.wire';

const admin: UserEntity = {
  id: 1,
  created: new Date('2024-10-25T00:00:00Z'),
  username: 'admin',
  name: 'Admin',
  email: 'admin@localhost',
  password: '$2a$11$abcdefghijklmnopqrstuuYQ0mYQ0mYQ0mYQ0mYQ0mYQ0mYQ0mYQ0m',
  admin: true,
  external: false,
  alert: false,
  totpSecret: 'ENCRYPTED-TOTP',
  totpRecoveryHashes: ['$2a$11$recovery'],
};

describe('user wire', () => {
  it('GET /api/user matches Appendix A, key order included', () => {
    expect(JSON.stringify(toWireCurrentUser(admin, { canCreateProject: true }))).toBe(
      '{"id":1,"created":"2024-10-25T00:00:00Z","username":"admin","name":"Admin","email":"admin@localhost","admin":true,' +
        '"external":false,"alert":false,"can_create_project":true}',
    );
  });

  it('appends totp_enabled after can_create_project when given', () => {
    const wire = toWireCurrentUser(admin, { canCreateProject: false, totpEnabled: true });
    expect(Object.keys(wire).slice(-2)).toEqual(['can_create_project', 'totp_enabled']);
    expect(wire).toMatchObject({ can_create_project: false, totp_enabled: true });
  });

  it('shapes a TOTP enrollment with the user id first', () => {
    const wire = toWireTotpEnrollment(3, { secret: 'S', url: 'otpauth://totp/x', recovery_codes: ['a'] });
    expect(JSON.stringify(wire)).toBe('{"id":3,"url":"otpauth://totp/x","secret":"S","recovery_codes":["a"]}');
  });

  it('never outputs the password hash or TOTP fields', () => {
    for (const wire of [
      toWireUser(admin),
      toWireCurrentUser(admin, { canCreateProject: false }),
      toWireCurrentUser(admin, { canCreateProject: false, totpEnabled: true }),
    ]) {
      const json = JSON.stringify(wire);
      expect(Object.keys(wire)).not.toEqual(expect.arrayContaining(['password']));
      expect(json).not.toContain('$2a$');
      expect(json).not.toContain('TOTP');
      expect(json).not.toContain('totpSecret');
      expect(json).not.toContain('recovery');
    }
    expect(JSON.stringify(toWireUserSummary(admin))).toBe('{"id":1,"username":"admin","name":"Admin"}');
  });

  it('reads a UserWithPwd body: settable fields only, password apart, keys case-insensitive like Go', () => {
    const body = {
      id: 99,
      created: 'x',
      external: true,
      Username: 'bob',
      name: 'Bob',
      email: 'bob@x',
      admin: false,
      alert: true,
      password: 'pw',
    };
    expect(fromWireUser(body)).toEqual({ username: 'bob', name: 'Bob', email: 'bob@x', admin: false, alert: true });
    expect(passwordFromWireUser(body)).toBe('pw');
    expect(passwordFromWireUser({ name: 'x' })).toBeUndefined();
  });

  it('leaves out fields of the wrong type and non-object bodies', () => {
    expect(fromWireUser({ username: 5, name: null, admin: 'true', email: 'e' })).toEqual({ email: 'e' });
    expect(fromWireUser(null)).toEqual({});
    expect(fromWireUser(['username'])).toEqual({});
    expect(fromWireUser('{"username":"x"}')).toEqual({});
  });
});
