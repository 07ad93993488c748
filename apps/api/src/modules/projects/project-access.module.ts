import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ProjectEntity, ProjectMemberEntity } from '@semaphore/persistence';
import { ProjectAccessGuard } from './project-access.guard';

/** Registers the project scoping guard (after the authentication guard, which AuthModule registers first). */
@Module({
  imports: [TypeOrmModule.forFeature([ProjectEntity, ProjectMemberEntity])],
  providers: [{ provide: APP_GUARD, useClass: ProjectAccessGuard }],
})
export class ProjectAccessModule {}
