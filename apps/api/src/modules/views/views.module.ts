import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TemplateEntity, ViewEntity } from '@semaphore/persistence';
import { TemplatesModule } from '../templates/templates.module';
import { ViewsController } from './views.controller';
import { ViewsRepository } from './views.repository';
import { ViewsService } from './views.service';

@Module({
  imports: [TypeOrmModule.forFeature([ViewEntity, TemplateEntity]), TemplatesModule],
  controllers: [ViewsController],
  providers: [ViewsService, ViewsRepository],
})
export class ViewsModule {}
