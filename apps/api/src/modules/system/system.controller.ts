import { Controller, Get, Header } from '@nestjs/common';

@Controller()
export class SystemController {
  /** Public liveness probe, exactly as upstream: 200 `text/plain` `pong`. */
  @Get('ping')
  @Header('Content-Type', 'text/plain; charset=utf-8')
  ping(): string {
    return 'pong';
  }
}
