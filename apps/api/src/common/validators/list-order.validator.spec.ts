import { listOrder } from './list-order.validator';

describe('listOrder', () => {
  const columns = ['name', 'type'] as const;

  it('keeps whitelisted columns and reads desc case-insensitively', () => {
    expect(listOrder('type', 'DESC', columns, 'name')).toEqual({ sort: 'type', desc: true });
    expect(listOrder('name', 'asc', columns, 'name')).toEqual({ sort: 'name', desc: false });
  });

  it('falls back for anything else, never an error', () => {
    for (const sort of ['secret', 'name; DROP TABLE x', ['type'], undefined, 7, { a: 1 }]) {
      expect(listOrder(sort, ['desc'], columns, 'name')).toEqual({ sort: 'name', desc: false });
    }
  });
});
