import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { AccessKeyType } from '@semaphore/models';
import type { IntegrationEntity } from '@semaphore/persistence';
import { ApiConfig } from '../../config';
import { SecretCipher } from '../../crypto';
import { REDIS } from '../../redis/redis.module';
import { TaskCreateService } from '../task-queue/task-create.service';
import { IntegrationDeliveries, type IntegrationDelivery } from './integration-deliveries';
import { IntegrationReceiverRepository } from './integration-receiver.repository';
import { authProblem, extractValues, matchProblem, parseJsonBody, type WebhookRequest } from './webhook-request';

/**
 * The public webhook receiver (`/api/integrations/{alias}`): each integration the alias reaches evaluates the whole
 * call (authentication, then every matcher); a match starts a task of its template with the extracted values as
 * environment and the integration's `task_params` as params, recording `integration_id`. Every outcome goes to the
 * integration's delivery log and rejected calls to the server log, with the reason; the caller always gets 204.
 */
@Injectable()
export class IntegrationReceiverService {
  private readonly logger = new Logger(IntegrationReceiverService.name);
  readonly deliveries: IntegrationDeliveries;
  private readonly globalAlias: string | null;

  constructor(
    private readonly repo: IntegrationReceiverRepository,
    private readonly cipher: SecretCipher,
    private readonly tasks: TaskCreateService,
    @Inject(REDIS) redis: Redis,
    config: ApiConfig,
  ) {
    this.deliveries = new IntegrationDeliveries(redis, config.redis.prefix);
    this.globalAlias = config.integrations.globalAlias;
  }

  async receive(alias: string, req: WebhookRequest): Promise<void> {
    const integrations = await this.repo.integrationsOf(alias, this.globalAlias);
    if (integrations.length === 0) {
      this.logger.warn(`webhook for unknown alias ${alias.slice(0, 64)}: ignored`);
      return;
    }
    const json = parseJsonBody(req.body);
    for (const integration of integrations) {
      const delivery = await this.evaluate(integration, req, json);
      if (!delivery.matched) this.logger.warn(`integration ${integration.id}: call rejected: ${delivery.reason}`);
      await this.deliveries
        .record(integration.id, delivery)
        .catch((err: unknown) =>
          this.logger.warn(`integration ${integration.id}: delivery not logged: ${String(err)}`),
        );
    }
  }

  private async evaluate(
    integration: IntegrationEntity,
    req: WebhookRequest,
    json: unknown,
  ): Promise<IntegrationDelivery> {
    const time = new Date().toISOString();
    const rejected = (reason: string): IntegrationDelivery => ({ time, matched: false, reason, task_id: null });
    const problem =
      authProblem(integration, this.secretOf(integration), req) ?? matchProblem(integration.matchers ?? [], req, json);
    if (problem) return rejected(problem);
    if (!integration.template) return rejected('the template is gone');
    const env = extractValues(integration.extractValues ?? [], req, json);
    const task = await this.tasks.createIntegrationTask(
      integration.template,
      integration.id,
      env,
      integration.taskParams,
    );
    return { time, matched: true, reason: null, task_id: task.id };
  }

  /** The password of the integration's login_password auth key ('' without one: no call authenticates then). */
  private secretOf(integration: IntegrationEntity): string {
    const key = integration.authSecret;
    if (!key || key.type !== AccessKeyType.LoginPassword) return '';
    const secret = this.cipher.decryptAccessKeySecret(key.type, key.secret);
    return secret?.type === AccessKeyType.LoginPassword ? secret.value.password : '';
  }
}
