import type { MigrationInterface } from 'typeorm';
import { Initial1795433043576 } from './1795433043576-initial';

/** Append-only, in order. Generate new ones with `npm run migration:generate -- <Name>`. */
export const MIGRATIONS: Array<new () => MigrationInterface> = [Initial1795433043576];
