import { Module } from '@nestjs/common';
import { ScheduleFiringModule } from '../schedule-firing/schedule-firing.module';
import { BackupExportService } from './backup-export.service';
import { BackupRestoreRepository } from './backup-restore.repository';
import { BackupRestoreService } from './backup-restore.service';
import { BackupController } from './backup.controller';
import { BackupRepository } from './backup.repository';

/**
 * Project backup and restore in upstream's format. The services need only a DataSource, so the CLI
 * (`semaphore project export|import`) builds them without Nest.
 */
@Module({
  imports: [ScheduleFiringModule],
  controllers: [BackupController],
  providers: [BackupRepository, BackupRestoreRepository, BackupExportService, BackupRestoreService],
})
export class BackupModule {}
