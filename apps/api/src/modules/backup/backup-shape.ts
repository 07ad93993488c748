import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { BackupDto, MAX_SECTION_ITEMS } from './dto/backup.dto';

/** A backup that cannot be restored; the message names the path, e.g. `templates[2].repository: ...`. */
export class BackupValidationError extends Error {}

const SECTIONS = ['keys', 'environments', 'repositories', 'inventories', 'views', 'templates', 'integrations'];

/**
 * Checks the shape of a parsed backup (types, lengths, enum values) and returns it as a BackupDto with unknown fields
 * dropped. Throws BackupValidationError naming the first problem.
 */
export function parseBackupShape(body: unknown): BackupDto {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new BackupValidationError('the backup must be a JSON object (sent as application/json)');
  }
  // Cheap bound first: huge sections are refused before any object is built from them.
  for (const section of SECTIONS) {
    const value: unknown = (body as Record<string, unknown>)[section];
    if (Array.isArray(value) && value.length > MAX_SECTION_ITEMS) {
      throw new BackupValidationError(`${section}: must have at most ${MAX_SECTION_ITEMS} items`);
    }
  }
  const dto = plainToInstance(BackupDto, body, { enableImplicitConversion: false });
  const errors = validateSync(dto, {
    whitelist: true,
    forbidNonWhitelisted: false,
    validationError: { target: false, value: false },
  });
  if (errors.length) throw new BackupValidationError(firstProblem(errors) ?? 'the backup is not valid');
  return dto;
}

/** `path: message` of the first failed constraint, with `[i]` for array items (`templates[2].survey_vars[0].name`). */
export function firstProblem(errors: readonly ValidationError[], parent = ''): string | null {
  for (const error of errors) {
    const path = joinPath(parent, error.property);
    const message = Object.values(error.constraints ?? {})[0];
    if (message !== undefined) return `${path}: ${withoutProperty(message, error.property)}`;
    const nested = firstProblem(error.children ?? [], path);
    if (nested) return nested;
  }
  return null;
}

export function joinPath(parent: string, property: string | number): string {
  if (typeof property === 'number' || /^\d+$/.test(property)) return `${parent}[${property}]`;
  return parent ? `${parent}.${property}` : property;
}

/** Shared validators word their messages `<property> <problem>`; the path already names the property. */
function withoutProperty(message: string, property: string): string {
  return message.startsWith(`${property} `) ? message.slice(property.length + 1) : message;
}
