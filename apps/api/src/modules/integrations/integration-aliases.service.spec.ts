import { newIntegrationAlias } from './integration-aliases.service';

describe('newIntegrationAlias', () => {
  it('draws 16 characters from [a-z0-9]', () => {
    for (let i = 0; i < 200; i++) expect(newIntegrationAlias()).toMatch(/^[a-z0-9]{16}$/);
  });

  it('uses the whole alphabet and does not repeat', () => {
    const aliases = Array.from({ length: 500 }, () => newIntegrationAlias());
    expect(new Set(aliases).size).toBe(aliases.length);
    expect(new Set(aliases.join('')).size).toBe(36);
  });
});
