import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ProjectEntity, ProjectMemberEntity, UserEntity } from '@semaphore/persistence';
import { ProjectMembersRepository } from './project-members.repository';
import { ProjectMembersService } from './project-members.service';
import { ProjectUsersController } from './project-users.controller';
import { ProjectsController } from './projects.controller';
import { ProjectsRepository } from './projects.repository';
import { ProjectsService } from './projects.service';

/** Projects, their membership and roles. The project scoping guard lives in ProjectAccessModule. */
@Module({
  imports: [TypeOrmModule.forFeature([ProjectEntity, ProjectMemberEntity, UserEntity])],
  controllers: [ProjectsController, ProjectUsersController],
  providers: [ProjectsRepository, ProjectsService, ProjectMembersRepository, ProjectMembersService],
})
export class ProjectsModule {}
