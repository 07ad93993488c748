import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { PinoLogger } from 'nestjs-pino';
import { redisKey, runnerAliveKey, type RunnerHeartbeat } from '@semaphore/models';
import type { RunnerEntity } from '@semaphore/persistence';
import { badRequest, notFound } from '../../common/api-errors';
import { ApiConfig } from '../../config';
import { REDIS } from '../../redis/redis.module';
import { fromWireRunner, toWireCreatedRunner, toWireRunnerWithStatus, type WireRunnerWithStatus } from '../../wire';
import type { RegisterRunnerDto, RunnerDto } from './dto/runner.dto';
import {
  REGISTRATION_TOKEN_PREFIX,
  REGISTRATION_TOKEN_TTL_MS,
  hashToken,
  newRegistrationToken,
  newRunnerToken,
  secretsEqual,
} from './runner-tokens';
import { RunnersRepository, type RunnerFields } from './runners.repository';

/** A runner as `GET /api/cluster` shows it: the admin view plus its live load. */
export type RunnerLiveView = WireRunnerWithStatus & {
  version: string | null;
  running_tasks: number;
  capacity: number;
};

export interface RegisteredRunner {
  token: string;
  id: number;
}

/** Admin management of runners and their registration. Tokens are returned once and stored as SHA-256 only. */
@Injectable()
export class RunnersService {
  constructor(
    private readonly repo: RunnersRepository,
    private readonly config: ApiConfig,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly logger: PinoLogger,
  ) {
    this.logger.setContext('Runners');
  }

  async list(): Promise<WireRunnerWithStatus[]> {
    const runners = await this.repo.list();
    const beats = await this.heartbeats(runners.map((r) => r.id));
    return runners.map((r, i) => this.withStatus(r, beats[i]));
  }

  /** Every runner with what its live heartbeat says (load, version, tags it consumes). */
  async liveList(): Promise<RunnerLiveView[]> {
    const runners = await this.repo.list();
    const beats = await this.heartbeats(runners.map((r) => r.id));
    return runners.map((runner, i) => {
      const beat = beats[i];
      return {
        ...this.withStatus(runner, beat),
        version: beat?.version ?? null,
        running_tasks: beat?.runningTaskIds.length ?? 0,
        capacity: beat?.maxParallelTasks ?? runner.maxParallelTasks,
      };
    });
  }

  async get(id: number): Promise<WireRunnerWithStatus> {
    const runner = await this.find(id);
    const [beat] = await this.heartbeats([runner.id]);
    return this.withStatus(runner, beat);
  }

  async create(dto: RunnerDto) {
    const fields = await this.fields(dto);
    const token = newRunnerToken();
    const runner = await this.repo.create({ active: true, ...fields, tokenHash: hashToken(token) });
    this.logger.info({ event: 'runner.created', runnerId: runner.id }, 'runner created');
    return toWireCreatedRunner(runner, token);
  }

  async update(id: number, dto: RunnerDto): Promise<void> {
    await this.find(id);
    if (dto.id !== undefined && dto.id !== 0 && dto.id !== id) {
      throw badRequest('id in the body must be the runner id of the URL');
    }
    await this.repo.update(id, await this.fields(dto));
  }

  async setActive(id: number, active: boolean): Promise<void> {
    await this.find(id);
    await this.repo.update(id, { active });
  }

  async delete(id: number): Promise<void> {
    await this.find(id);
    await this.repo.delete(id);
    this.logger.info({ event: 'runner.deleted', runnerId: id }, 'runner deleted');
  }

  /** A one-time registration token for this runner (`smrs_...`, 1 h); a new one replaces the previous one. */
  async registrationToken(id: number): Promise<{ token: string }> {
    await this.find(id);
    const token = newRegistrationToken();
    await this.repo.setRegistrationToken(id, hashToken(token), new Date(Date.now() + REGISTRATION_TOKEN_TTL_MS));
    return { token };
  }

  /**
   * `POST /api/internal/runners`. A one-time `smrs_` token completes its pre-created runner (and is used up); the
   * global token (SEMAPHORE_RUNNER_REGISTRATION_TOKEN, compared in constant time) creates a new, active runner.
   * Anything else, or the global mode when no global token is configured, is refused without a side effect.
   */
  async register(dto: RegisterRunnerDto): Promise<RegisteredRunner> {
    const given = dto.registration_token ?? '';
    const token = newRunnerToken();
    const fill = {
      name: dto.name ?? '',
      tags: dto.tags ?? [],
      maxParallelTasks: dto.max_parallel_tasks ?? 0,
      webhook: dto.webhook ?? '',
    };
    if (given.startsWith(REGISTRATION_TOKEN_PREFIX)) {
      const runner = await this.repo.redeemRegistrationToken(hashToken(given), hashToken(token), fill);
      if (!runner) throw badRequest('Invalid registration token');
      this.logger.info({ event: 'runner.registered', runnerId: runner.id, mode: 'one-time' }, 'runner registered');
      return { token, id: runner.id };
    }
    const expected = this.config.runners.registrationToken;
    if (!expected || !given || !secretsEqual(given, expected)) throw badRequest('Invalid registration token');
    const runner = await this.repo.create({ ...fill, active: true, tokenHash: hashToken(token) });
    this.logger.info({ event: 'runner.registered', runnerId: runner.id, mode: 'global' }, 'runner registered');
    return { token, id: runner.id };
  }

  private async find(id: number): Promise<RunnerEntity> {
    const runner = await this.repo.findById(id);
    if (!runner) throw notFound('Runner');
    return runner;
  }

  private async fields(dto: RunnerDto): Promise<RunnerFields> {
    const fields = fromWireRunner(dto);
    if (fields.projectId === 0) fields.projectId = null;
    if (fields.projectId != null && !(await this.repo.projectExists(fields.projectId))) {
      throw badRequest('project_id must be the id of an existing project');
    }
    if (fields.tags) fields.tags = [...new Set(fields.tags)];
    return fields;
  }

  /** The live heartbeat of each runner (null when its alive key expired). */
  private async heartbeats(ids: number[]): Promise<Array<RunnerHeartbeat | null>> {
    if (!ids.length) return [];
    const prefix = this.config.redis.prefix;
    let values: Array<string | null>;
    try {
      values = await this.redis.mget(ids.map((id) => redisKey(prefix, ...runnerAliveKey(id))));
    } catch (err) {
      this.logger.warn({ err }, 'runner heartbeats unavailable: runners shown offline');
      return ids.map(() => null);
    }
    return values.map((v) => {
      if (!v) return null;
      try {
        return JSON.parse(v) as RunnerHeartbeat;
      } catch {
        return null;
      }
    });
  }

  private withStatus(runner: RunnerEntity, beat: RunnerHeartbeat | null): WireRunnerWithStatus {
    const beatTime = beat ? new Date(beat.time) : null;
    const lastSeen = beatTime && !Number.isNaN(beatTime.getTime()) ? beatTime : runner.lastSeen;
    return toWireRunnerWithStatus(runner, { online: beat !== null, lastSeen });
  }
}
