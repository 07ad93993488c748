import { Controller, HttpCode, Post } from '@nestjs/common';
import { Permission } from '@semaphore/models';
import type { ProjectEntity } from '@semaphore/persistence';
import { CurrentProject, RequirePermission } from '../../common/decorators';
import type { NotificationTestResponseDto } from './dto/notification-test.dto';
import { NotificationTestService } from './notification-test.service';

/** `P/notifications`: the test message. */
@Controller('project/:project_id/notifications')
@RequirePermission(Permission.ManageProjectResources)
export class NotificationsController {
  constructor(private readonly tests: NotificationTestService) {}

  /** 200 with one result per delivery; 409 when the project's `alert` is off (as upstream). */
  @Post('test')
  @HttpCode(200)
  test(@CurrentProject() project: ProjectEntity): Promise<NotificationTestResponseDto> {
    return this.tests.sendTest(project);
  }
}
