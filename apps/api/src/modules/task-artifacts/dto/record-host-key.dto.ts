import { IsString, MaxLength } from 'class-validator';

/** `POST /api/internal/runners/tasks/{id}/known-hosts`: one OpenSSH known_hosts line. */
export class RecordHostKeyDto {
  // Checked bottom-up: the type first.
  @MaxLength(16_384, { message: 'line must be at most 16384 characters' })
  @IsString({ message: 'line must be a string' })
  line!: string;
}
