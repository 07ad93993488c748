import { compact, readEnum, readInt, readNullableObject, readString, wireBody } from './input.wire';

enum Color {
  Red = 'red',
  None = '',
}

describe('wire body readers', () => {
  it('match keys case-insensitively, the last duplicate winning, like Go encoding/json', () => {
    expect(readString(wireBody({ Name: 'a', NAME: 'b' }), 'name')).toBe('b');
    expect(readString(wireBody({ name: 'b', Name: 'a' }), 'name')).toBe('a');
  });

  it('are safe with __proto__ keys from JSON.parse', () => {
    const b = wireBody(JSON.parse('{"__proto__":{"admin":true},"name":"x"}'));
    expect(readString(b, 'name')).toBe('x');
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    expect(readNullableObject(b, '__proto__')).toEqual({ admin: true });
  });

  it('take only safe integers, enum members and plain objects', () => {
    const b = wireBody({ a: 2 ** 53, b: 1.5, c: -3, color: 'blue', empty: '', obj: [1] });
    expect(readInt(b, 'a')).toBeUndefined();
    expect(readInt(b, 'b')).toBeUndefined();
    expect(readInt(b, 'c')).toBe(-3);
    expect(readEnum(b, 'color', Color)).toBeUndefined();
    expect(readEnum(b, 'empty', Color)).toBe(Color.None);
    expect(readNullableObject(b, 'obj')).toBeUndefined();
  });

  it('compact drops only undefined', () => {
    expect(compact({ a: undefined, b: null, c: 0, d: '' })).toEqual({ b: null, c: 0, d: '' });
    expect(Object.keys(compact({ a: undefined }))).toEqual([]);
  });
});
