import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { AdminOnly } from '../../common/decorators';
import { OptionDto } from './dto/option.dto';
import { OptionsRepository } from './options.repository';

/** `/api/options` (admins): the `option` table as a flat map. */
@Controller('options')
@AdminOnly()
export class OptionsController {
  constructor(private readonly options: OptionsRepository) {}

  @Get()
  async list(): Promise<Record<string, string>> {
    // fromEntries defines own properties, so even a key like `__proto__` stays a plain entry.
    return Object.fromEntries((await this.options.all()).map((o) => [o.key, o.value]));
  }

  /** 200 with the body, as upstream. */
  @Post()
  @HttpCode(200)
  async set(@Body() body: OptionDto): Promise<{ key: string; value: string }> {
    await this.options.set(body.key, body.value);
    return { key: body.key, value: body.value };
  }
}
