import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OptionEntity } from '@semaphore/persistence';
import { AppsController } from './apps.controller';
import { AppsService } from './apps.service';
import { OptionsController } from './options.controller';
import { OptionsRepository } from './options.repository';
import { SystemInfoService } from './system-info.service';
import { SystemController } from './system.controller';

/** Ping, system info, apps and options. */
@Module({
  imports: [TypeOrmModule.forFeature([OptionEntity])],
  controllers: [SystemController, AppsController, OptionsController],
  providers: [SystemInfoService, AppsService, OptionsRepository],
})
export class SystemModule {}
