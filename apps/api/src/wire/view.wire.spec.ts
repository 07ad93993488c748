import { fromWireView, toWireView } from './view.wire';

describe('view wire', () => {
  it('maps a view in upstream key order', () => {
    expect(JSON.stringify(toWireView({ id: 2, projectId: 1, title: 'Deploys', position: 3 }))).toBe(
      '{"id":2,"project_id":1,"title":"Deploys","position":3}',
    );
  });

  it('reads a body, never id or project_id', () => {
    expect(fromWireView({ id: 2, project_id: 5, title: 'T', position: 1 })).toEqual({ title: 'T', position: 1 });
    expect(fromWireView({ position: '1' })).toEqual({});
  });
});
