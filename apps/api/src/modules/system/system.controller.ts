import { Controller, Get, Header } from '@nestjs/common';
import { Public } from '../../common/decorators';

@Controller()
export class SystemController {
  /** Public liveness probe, exactly as upstream: 200 `text/plain` `pong`. */
  @Public()
  @Get('ping')
  @Header('Content-Type', 'text/plain; charset=utf-8')
  ping(): string {
    return 'pong';
  }
}
