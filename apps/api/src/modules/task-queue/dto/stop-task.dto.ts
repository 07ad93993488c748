import { IsBoolean, IsOptional } from 'class-validator';

/** `POST P/tasks/{id}/stop`: `{"force": bool}`; `{}` is a normal stop. */
export class StopTaskDto {
  @IsOptional()
  @IsBoolean()
  force?: boolean;
}
