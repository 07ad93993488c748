import { type ArgumentMetadata, Injectable, type PipeTransform } from '@nestjs/common';
import { badRequest } from './api-errors';

/** Path ids: positive 32-bit integers; anything else is a 400 naming the parameter. */
@Injectable()
export class IdPipe implements PipeTransform<string, number> {
  transform(value: string, metadata: ArgumentMetadata): number {
    const name = metadata.data ?? 'id';
    if (!/^\d{1,10}$/.test(value)) throw badRequest(`${name} must be a positive integer`);
    const id = Number(value);
    if (id < 1 || id > 2_147_483_647) throw badRequest(`${name} must be a positive integer`);
    return id;
  }
}
