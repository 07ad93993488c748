import { BadRequestException, ConflictException, ForbiddenException, NotFoundException } from '@nestjs/common';

/** `{"error": "..."}` 400, naming the field. */
export function badRequest(message: string): BadRequestException {
  return new BadRequestException({ error: message });
}

export function notFound(what: string): NotFoundException {
  return new NotFoundException({ error: `${what} not found` });
}

export function forbidden(message = 'You do not have permission to do this'): ForbiddenException {
  return new ForbiddenException({ error: message });
}

export function conflict(message: string): ConflictException {
  return new ConflictException({ error: message });
}

/** Deleting something that other objects still reference: 400 with `inUse: true`, as upstream. */
export function inUse(what: string): BadRequestException {
  return new BadRequestException({ error: `${what} is in use by one or more templates`, inUse: true });
}
