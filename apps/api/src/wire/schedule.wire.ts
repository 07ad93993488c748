import type { WireSchedule, WireScheduleWithTpl } from '@semaphore/models';
import type { ScheduleEntity } from '@semaphore/persistence';
import { compact, readBoolean, readInt, readNullableInt, readString, wireBody } from './input.wire';

/** `last_commit_hash` (and our `run_at`, `created`) are not part of the 2.10 wire object. */
export function toWireSchedule(schedule: ScheduleEntity): WireSchedule {
  return {
    id: schedule.id,
    project_id: schedule.projectId,
    template_id: schedule.templateId,
    cron_format: schedule.cronFormat,
    name: schedule.name,
    active: schedule.active,
    repository_id: schedule.repositoryId,
  };
}

/** A `GET P/schedules` item: the schedule plus `tpl_name` (its template's name). */
export function toWireScheduleWithTpl(schedule: ScheduleEntity, extras: { tplName: string }): WireScheduleWithTpl {
  return { ...toWireSchedule(schedule), tpl_name: extras.tplName };
}

export type ScheduleWireFields = Partial<
  Pick<ScheduleEntity, 'templateId' | 'cronFormat' | 'name' | 'active' | 'repositoryId'>
>;

/** `id` and `project_id` come from the URL (SECURITY.md §2); the caller checks `template_id` belongs to the project. */
export function fromWireSchedule(body: unknown): ScheduleWireFields {
  const b = wireBody(body);
  return compact({
    templateId: readInt(b, 'template_id'),
    cronFormat: readString(b, 'cron_format'),
    name: readString(b, 'name'),
    active: readBoolean(b, 'active'),
    repositoryId: readNullableInt(b, 'repository_id'),
  });
}
