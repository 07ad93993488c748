import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { Permission, type WireAccessKey } from '@semaphore/models';
import type { ProjectEntity, UserEntity } from '@semaphore/persistence';
import { CurrentProject, CurrentUser, RequirePermission } from '../../common/decorators';
import { IdPipe } from '../../common/id.pipe';
import { listOrder } from '../../common/validators';
import { toWireAccessKey } from '../../wire';
import { AccessKeyDto } from './dto/access-key.dto';
import { KEY_SORT_COLUMNS } from './keys.repository';
import { KeysService } from './keys.service';
import type { ObjectRefs } from './object-refs';

/** Access keys. Secrets are write-only: every read blanks them (`toWireAccessKey`). */
@Controller('project/:project_id/keys')
@RequirePermission(Permission.ManageProjectResources)
export class KeysController {
  constructor(private readonly keys: KeysService) {}

  /** `?sort=name|type&order=asc|desc`. */
  @Get()
  list(
    @CurrentProject() project: ProjectEntity,
    @Query('sort') sort: unknown,
    @Query('order') order: unknown,
  ): Promise<WireAccessKey[]> {
    return this.keys.list(project.id, listOrder(sort, order, KEY_SORT_COLUMNS, 'name'));
  }

  @Post()
  @HttpCode(204)
  async create(
    @CurrentProject() project: ProjectEntity,
    @CurrentUser() user: UserEntity,
    @Body() body: AccessKeyDto,
  ): Promise<void> {
    await this.keys.create(project, user, body);
  }

  @Get(':key_id')
  async get(@CurrentProject() project: ProjectEntity, @Param('key_id', IdPipe) keyId: number): Promise<WireAccessKey> {
    return toWireAccessKey(await this.keys.get(project.id, keyId));
  }

  @Get(':key_id/refs')
  refs(@CurrentProject() project: ProjectEntity, @Param('key_id', IdPipe) keyId: number): Promise<ObjectRefs> {
    return this.keys.refs(project.id, keyId);
  }

  @Put(':key_id')
  @HttpCode(204)
  async update(
    @CurrentProject() project: ProjectEntity,
    @CurrentUser() user: UserEntity,
    @Param('key_id', IdPipe) keyId: number,
    @Body() body: AccessKeyDto,
  ): Promise<void> {
    await this.keys.update(project, user, keyId, body);
  }

  @Delete(':key_id')
  @HttpCode(204)
  async delete(
    @CurrentProject() project: ProjectEntity,
    @CurrentUser() user: UserEntity,
    @Param('key_id', IdPipe) keyId: number,
  ): Promise<void> {
    await this.keys.delete(project, user, keyId);
  }
}
