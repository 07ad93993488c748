import { type ArgumentMetadata, Injectable, type PipeTransform } from '@nestjs/common';
import { badRequest } from '../../common/api-errors';

/**
 * An optional integer query parameter within [min, max]: absent or empty gives undefined, anything else that is not
 * a plain decimal integer in range (letters, signs, fractions, exponents, repeated parameters) is a 400 naming the
 * parameter. Declare the handler parameter as `number | undefined` (a union): its design type is then Object, and the
 * global ValidationPipe leaves the raw string alone instead of converting it with `+value` first.
 */
@Injectable()
export class QueryIntPipe implements PipeTransform<unknown, number | undefined> {
  constructor(
    private readonly min: number,
    private readonly max: number,
  ) {}

  transform(value: unknown, metadata: ArgumentMetadata): number | undefined {
    if (value === undefined || value === '') return undefined;
    const name = metadata.data ?? 'parameter';
    const message = `${name} must be an integer from ${this.min} to ${this.max}`;
    if (typeof value !== 'string' || !/^\d{1,10}$/.test(value)) throw badRequest(message);
    const n = Number(value);
    if (n < this.min || n > this.max) throw badRequest(message);
    return n;
  }
}
