import { PickType } from '@nestjs/swagger';
import { CreateTaskDto } from './create-task.dto';

/**
 * `POST P/tasks/{id}/retry`: only `secret` (survey secrets, a JSON object text validated as for `POST P/tasks`), since
 * survey secrets of the original were never stored. Everything else comes from the original task.
 */
export class RetryTaskDto extends PickType(CreateTaskDto, ['secret'] as const) {}
