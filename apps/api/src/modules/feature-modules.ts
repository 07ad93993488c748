import { BackupModule } from './backup/backup.module';
import { ClusterModule } from './cluster/cluster.module';
import { EnvironmentsModule } from './environments/environments.module';
import { IntegrationReceiverModule } from './integration-receiver/integration-receiver.module';
import { IntegrationsModule } from './integrations/integrations.module';
import { InventoriesModule } from './inventories/inventories.module';
import { KeysModule } from './keys/keys.module';
import { NotificationsModule } from './notifications/notifications.module';
import { ProjectsModule } from './projects/projects.module';
import { QueuesModule } from './queues/queues.module';
import { RepositoriesModule } from './repositories/repositories.module';
import { RunnersModule } from './runners/runners.module';
import { SchedulesModule } from './schedules/schedules.module';
import { TaskArtifactsModule } from './task-artifacts/task-artifacts.module';
import { TaskEventsModule } from './task-events/task-events.module';
import { TaskQueueModule } from './task-queue/task-queue.module';
import { TasksModule } from './tasks/tasks.module';
import { TemplatesModule } from './templates/templates.module';
import { UsersModule } from './users/users.module';
import { ViewsModule } from './views/views.module';

/** The REST resources, one module per feature. */
export const FEATURE_MODULES = [
  UsersModule,
  ProjectsModule,
  KeysModule,
  RepositoriesModule,
  InventoriesModule,
  EnvironmentsModule,
  TemplatesModule,
  ViewsModule,
  SchedulesModule,
  IntegrationsModule,
  IntegrationReceiverModule,
  BackupModule,
  TasksModule,
  TaskQueueModule,
  QueuesModule,
  RunnersModule,
  TaskEventsModule,
  TaskArtifactsModule,
  ClusterModule,
  NotificationsModule,
];
