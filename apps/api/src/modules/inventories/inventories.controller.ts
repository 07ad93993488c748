import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { Permission, type WireInventory } from '@semaphore/models';
import type { ProjectEntity, UserEntity } from '@semaphore/persistence';
import { CurrentProject, CurrentUser, RequirePermission } from '../../common/decorators';
import { IdPipe } from '../../common/id.pipe';
import { listOrder } from '../../common/validators';
import { toWireInventory } from '../../wire';
import type { ObjectRefs } from '../keys/object-refs';
import { InventoryDto } from './dto/inventory.dto';
import { INVENTORY_SORT_COLUMNS } from './inventories.repository';
import { InventoriesService } from './inventories.service';

@Controller('project/:project_id/inventory')
@RequirePermission(Permission.ManageProjectResources)
export class InventoriesController {
  constructor(private readonly inventories: InventoriesService) {}

  /** `?sort=name&order=asc|desc`. */
  @Get()
  list(
    @CurrentProject() project: ProjectEntity,
    @Query('sort') sort: unknown,
    @Query('order') order: unknown,
  ): Promise<WireInventory[]> {
    return this.inventories.list(project.id, listOrder(sort, order, INVENTORY_SORT_COLUMNS, 'name'));
  }

  @Post()
  @HttpCode(201)
  create(
    @CurrentProject() project: ProjectEntity,
    @CurrentUser() user: UserEntity,
    @Body() body: InventoryDto,
  ): Promise<WireInventory> {
    return this.inventories.create(project, user, body);
  }

  @Get(':inventory_id')
  async get(
    @CurrentProject() project: ProjectEntity,
    @Param('inventory_id', IdPipe) inventoryId: number,
  ): Promise<WireInventory> {
    return toWireInventory(await this.inventories.get(project.id, inventoryId));
  }

  @Get(':inventory_id/refs')
  refs(
    @CurrentProject() project: ProjectEntity,
    @Param('inventory_id', IdPipe) inventoryId: number,
  ): Promise<ObjectRefs> {
    return this.inventories.refs(project.id, inventoryId);
  }

  @Put(':inventory_id')
  @HttpCode(204)
  async update(
    @CurrentProject() project: ProjectEntity,
    @CurrentUser() user: UserEntity,
    @Param('inventory_id', IdPipe) inventoryId: number,
    @Body() body: InventoryDto,
  ): Promise<void> {
    await this.inventories.update(project, user, inventoryId, body);
  }

  @Delete(':inventory_id')
  @HttpCode(204)
  async delete(
    @CurrentProject() project: ProjectEntity,
    @CurrentUser() user: UserEntity,
    @Param('inventory_id', IdPipe) inventoryId: number,
  ): Promise<void> {
    await this.inventories.delete(project, user, inventoryId);
  }
}
