import { Injectable, NotFoundException } from '@nestjs/common';
import { badRequest } from '../../common/api-errors';
import {
  APP_ID_PATTERN,
  type AppSettings,
  appOptionChanges,
  appsFromOptions,
  sortedApps,
  type WireAppItem,
} from './app-catalog';
import { OptionsRepository } from './options.repository';

export function checkAppId(id: string): string {
  if (!APP_ID_PATTERN.test(id)) throw badRequest('app_id must be 1 to 64 characters of A-Z a-z 0-9 _ -');
  return id;
}

/** Apps (built-in and custom), stored as `apps.<id>.<field>` option rows; read live, so changes apply at once. */
@Injectable()
export class AppsService {
  constructor(private readonly options: OptionsRepository) {}

  async list(): Promise<WireAppItem[]> {
    return sortedApps(await this.load());
  }

  async get(id: string): Promise<AppSettings> {
    const app = (await this.load()).get(id);
    if (!app) throw new NotFoundException({ error: 'app not found' });
    return app;
  }

  async save(id: string, body: Partial<AppSettings>): Promise<void> {
    const changes = appOptionChanges(id, body);
    await this.options.apply(changes.set, changes.remove);
  }

  async setActive(id: string, active: boolean): Promise<void> {
    await this.options.set(`apps.${id}.active`, String(active));
  }

  /** Deletes the app's options: a custom app disappears, a built-in goes back to its defaults. */
  async delete(id: string): Promise<void> {
    await this.options.deleteTree(`apps.${id}`);
  }

  private async load(): Promise<Map<string, AppSettings>> {
    return appsFromOptions(await this.options.withPrefix('apps.'));
  }
}
