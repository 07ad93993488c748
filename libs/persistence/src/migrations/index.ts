import type { MigrationInterface } from 'typeorm';
import { Initial1795433043576 } from './1795433043576-initial';
import { SshOperations1796283152399 } from './1796283152399-ssh-operations';
import { RetryIndex1796285273788 } from './1796285273788-retry-index';

/** Append-only, in order. Generate new ones with `npm run migration:generate -- <Name>`. */
export const MIGRATIONS: Array<new () => MigrationInterface> = [
  Initial1795433043576,
  SshOperations1796283152399,
  RetryIndex1796285273788,
];
