import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { ProjectRole } from '@semaphore/models';
import type { ProjectEntity, UserEntity } from '@semaphore/persistence';
import { ApiClient } from './api-client';
import { startApiProcess, type ApiProcess } from './app-processes';
import { Factories } from './factories';
import { createTestDatabase, type TestDatabase } from './test-database';
import { createTestRedis, type TestRedis } from './test-redis';

export const TEST_PASSWORD = 'correct horse battery';
// Computed once per process: bcrypt is slow on purpose.
let passwordHash: string | undefined;

/**
 * A real api process on its own database and Redis prefix, with helpers to make users that can log in.
 * One per e2e test file: `beforeAll(() => stack = await startApiStack())`, `afterAll(() => stack.stop())`.
 */
export class ApiStack {
  readonly factories: Factories;

  private constructor(
    readonly db: TestDatabase,
    readonly redis: TestRedis,
    readonly api: ApiProcess,
    /** This stack's own SEMAPHORE_ARTIFACTS_PATH, shared by its replicas: task ids repeat across test databases. */
    readonly artifactsPath: string,
    private readonly ownsArtifacts: boolean,
  ) {
    this.factories = new Factories(db.dataSource);
  }

  static async start(env: Record<string, string> = {}): Promise<ApiStack> {
    const db = await createTestDatabase();
    const redis = await createTestRedis();
    const artifactsPath = env.SEMAPHORE_ARTIFACTS_PATH ?? (await mkdtemp(join(tmpdir(), 'e2e-artifacts-')));
    try {
      const api = await startApiProcess({
        db: db.connection,
        redisUrl: redis.url,
        redisPrefix: redis.prefix,
        env: { SEMAPHORE_ARTIFACTS_PATH: artifactsPath, ...env },
      });
      return new ApiStack(db, redis, api, artifactsPath, !env.SEMAPHORE_ARTIFACTS_PATH);
    } catch (err) {
      await redis.cleanup();
      await db.drop();
      if (!env.SEMAPHORE_ARTIFACTS_PATH) await rm(artifactsPath, { recursive: true, force: true });
      throw err;
    }
  }

  get baseUrl(): string {
    return this.api.baseUrl;
  }

  /** Another api process (a replica) on this stack's database and Redis; the caller stops it. */
  startReplica(env: Record<string, string> = {}): Promise<ApiProcess> {
    return startApiProcess({
      db: this.db.connection,
      redisUrl: this.redis.url,
      redisPrefix: this.redis.prefix,
      env: { SEMAPHORE_ARTIFACTS_PATH: this.artifactsPath, ...env },
    });
  }

  /** A client with no credentials. */
  client(): ApiClient {
    return new ApiClient(this.baseUrl);
  }

  /** A user whose password is TEST_PASSWORD. */
  async user(overrides: Partial<UserEntity> = {}): Promise<UserEntity> {
    passwordHash ??= await bcrypt.hash(TEST_PASSWORD, 4);
    return this.factories.user({ password: passwordHash, ...overrides });
  }

  /** A logged-in (cookie) client for a new user. */
  async loggedIn(overrides: Partial<UserEntity> = {}): Promise<{ user: UserEntity; client: ApiClient }> {
    const user = await this.user(overrides);
    const client = await this.client().login(user.username, TEST_PASSWORD);
    return { user, client };
  }

  /** A bearer-token client for a new user. */
  async withToken(overrides: Partial<UserEntity> = {}): Promise<{ user: UserEntity; client: ApiClient }> {
    const { user, client } = await this.loggedIn(overrides);
    return { user, client: await client.tokenClient() };
  }

  /** A project and, for each role, a token client of a member with that role; plus an admin and a non-member. */
  async projectWithMembers(): Promise<ProjectActors> {
    const project = await this.factories.project();
    const actors = { project } as ProjectActors;
    for (const role of Object.values(ProjectRole)) {
      const { user, client } = await this.withToken();
      await this.factories.projectMember(project.id, user.id, { role });
      actors[role] = client;
    }
    actors.admin = (await this.withToken({ admin: true })).client;
    actors.nonMember = (await this.withToken()).client;
    return actors;
  }

  async stop(): Promise<void> {
    await this.api.process.stop();
    await this.redis.cleanup();
    await this.db.drop();
    if (this.ownsArtifacts) await rm(this.artifactsPath, { recursive: true, force: true });
  }
}

export type ProjectActors = { project: ProjectEntity; admin: ApiClient; nonMember: ApiClient } & Record<
  ProjectRole,
  ApiClient
>;

export const startApiStack = (env?: Record<string, string>) => ApiStack.start(env);
