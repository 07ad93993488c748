import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { AdminOnly } from '../../common/decorators';
import { type AppSettings, toWireApp, type WireAppItem } from './app-catalog';
import { AppsService, checkAppId } from './apps.service';
import { AppActiveDto, AppDto } from './dto/app.dto';

/** `/api/apps`: the list for everyone, the rest for admins (403 otherwise). */
@Controller('apps')
export class AppsController {
  constructor(private readonly apps: AppsService) {}

  @Get()
  list(): Promise<WireAppItem[]> {
    return this.apps.list();
  }

  @Get(':app_id')
  @AdminOnly()
  async get(@Param('app_id') appId: string): Promise<AppSettings> {
    return toWireApp(await this.apps.get(checkAppId(appId)));
  }

  @Put(':app_id')
  @AdminOnly()
  @HttpCode(204)
  async update(@Param('app_id') appId: string, @Body() body: AppDto): Promise<void> {
    await this.apps.save(checkAppId(appId), body);
  }

  /** Upstream accepts POST as well as PUT. */
  @Post(':app_id')
  @AdminOnly()
  @HttpCode(204)
  async updateByPost(@Param('app_id') appId: string, @Body() body: AppDto): Promise<void> {
    await this.apps.save(checkAppId(appId), body);
  }

  @Post(':app_id/active')
  @AdminOnly()
  @HttpCode(204)
  async setActive(@Param('app_id') appId: string, @Body() body: AppActiveDto): Promise<void> {
    await this.apps.setActive(checkAppId(appId), body.active);
  }

  @Delete(':app_id')
  @AdminOnly()
  @HttpCode(204)
  async delete(@Param('app_id') appId: string): Promise<void> {
    await this.apps.delete(checkAppId(appId));
  }
}
