import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { AdminOnly } from '../../common/decorators';
import { IdPipe } from '../../common/id.pipe';
import type { WireRunnerWithStatus } from '../../wire';
import { RunnerActiveDto, RunnerDto } from './dto/runner.dto';
import { RunnersService } from './runners.service';

/** `/api/runners`: administrators only (403 for everyone else). */
@Controller('runners')
@AdminOnly()
export class RunnersController {
  constructor(private readonly runners: RunnersService) {}

  @Get()
  list(): Promise<WireRunnerWithStatus[]> {
    return this.runners.list();
  }

  /** 201 with the runner and its token; the token is never shown again (only its SHA-256 is stored). */
  @Post()
  @HttpCode(201)
  create(@Body() body: RunnerDto) {
    return this.runners.create(body);
  }

  @Get(':runner_id')
  get(@Param('runner_id', IdPipe) id: number): Promise<WireRunnerWithStatus> {
    return this.runners.get(id);
  }

  @Put(':runner_id')
  @HttpCode(204)
  async update(@Param('runner_id', IdPipe) id: number, @Body() body: RunnerDto): Promise<void> {
    await this.runners.update(id, body);
  }

  /** Upstream also accepts POST for the update. */
  @Post(':runner_id')
  @HttpCode(204)
  async updateByPost(@Param('runner_id', IdPipe) id: number, @Body() body: RunnerDto): Promise<void> {
    await this.runners.update(id, body);
  }

  @Post(':runner_id/active')
  @HttpCode(204)
  async setActive(@Param('runner_id', IdPipe) id: number, @Body() body: RunnerActiveDto): Promise<void> {
    await this.runners.setActive(id, body.active);
  }

  @Post(':runner_id/registration-token')
  @HttpCode(200)
  registrationToken(@Param('runner_id', IdPipe) id: number): Promise<{ token: string }> {
    return this.runners.registrationToken(id);
  }

  @Delete(':runner_id')
  @HttpCode(204)
  async delete(@Param('runner_id', IdPipe) id: number): Promise<void> {
    await this.runners.delete(id);
  }
}
