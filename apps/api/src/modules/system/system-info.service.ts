import { execFile } from 'node:child_process';
import { Injectable, Logger } from '@nestjs/common';
import { productVersion } from '../../cli/version';
import { ApiConfig } from '../../config';

export interface WireSystemInfo {
  version: string;
  ansible: string;
  web_host: string;
  use_remote_runner: boolean;
}

const ANSIBLE_TIMEOUT_MS = 5_000;

/** First line of `ansible --version` (e.g. `ansible [core 2.14.18]`), '' when ansible is absent or fails. */
export function ansibleVersionLine(): Promise<string> {
  return new Promise((resolve) => {
    execFile('ansible', ['--version'], { timeout: ANSIBLE_TIMEOUT_MS, maxBuffer: 64 * 1024 }, (err, stdout) => {
      resolve(err ? '' : (String(stdout).split('\n')[0] ?? '').trim());
    });
  });
}

/** `GET /api/info`. The ansible version is looked up once per process. */
@Injectable()
export class SystemInfoService {
  private readonly logger = new Logger(SystemInfoService.name);
  private readonly version = productVersion();
  private ansible?: Promise<string>;

  constructor(private readonly config: ApiConfig) {}

  async info(): Promise<WireSystemInfo> {
    this.ansible ??= ansibleVersionLine().then((line) => {
      if (!line) this.logger.warn('ansible --version gave nothing: is ansible installed on the api host?');
      return line;
    });
    return {
      version: this.version,
      ansible: await this.ansible,
      // Upstream prints web_host as configured; ours is normalized with a trailing '/', removed here.
      web_host: this.config.http.webRoot.replace(/\/+$/, ''),
      // Every task runs on a runner process, never inside the api.
      use_remote_runner: true,
    };
  }
}
