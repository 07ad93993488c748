import { Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import type { WireApiToken } from '@semaphore/models';
import type { UserEntity } from '@semaphore/persistence';
import { CurrentUser } from '../../common/decorators';
import { badRequest } from '../../common/api-errors';
import { toWireApiToken } from '../../wire';
import { ApiTokenRepository } from './api-token.repository';

/** The caller's own API tokens. */
@Controller('user/tokens')
export class ApiTokensController {
  constructor(private readonly tokens: ApiTokenRepository) {}

  /** All of the caller's tokens, expired ones included (as upstream); ids are the stored hashes. */
  @Get()
  async list(@CurrentUser() user: UserEntity): Promise<WireApiToken[]> {
    return (await this.tokens.listForUser(user.id)).map((t) => toWireApiToken(t));
  }

  /** 201 with the new token in `id`: the only time it is shown. */
  @Post()
  async create(@CurrentUser() user: UserEntity): Promise<WireApiToken> {
    const { token, entity } = await this.tokens.create(user.id);
    return toWireApiToken(entity, token);
  }

  /** Expires a token (by the token itself or its listed id); 204 also for unknown ids, as upstream. */
  @Delete(':token_id')
  @HttpCode(204)
  async expire(@CurrentUser() user: UserEntity, @Param('token_id') tokenId: string): Promise<void> {
    if (!/^[A-Za-z0-9_=-]{1,128}$/.test(tokenId)) throw badRequest('token_id is not a token id');
    await this.tokens.expire(user.id, tokenId.toLowerCase());
  }
}
