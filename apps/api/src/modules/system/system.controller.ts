import { Controller, Get, Header } from '@nestjs/common';
import { Public } from '../../common/decorators';
import { SystemInfoService, type WireSystemInfo } from './system-info.service';

@Controller()
export class SystemController {
  constructor(private readonly systemInfo: SystemInfoService) {}

  /** Public liveness probe, exactly as upstream: 200 `text/plain` `pong`. */
  @Public()
  @Get('ping')
  @Header('Content-Type', 'text/plain; charset=utf-8')
  ping(): string {
    return 'pong';
  }

  /** `{"version","ansible","web_host","use_remote_runner"}` for any authenticated user. */
  @Get('info')
  info(): Promise<WireSystemInfo> {
    return this.systemInfo.info();
  }
}
