import { Injectable } from '@nestjs/common';
import { AccessKeyType, IntegrationAuthMethod, type WireIntegration } from '@semaphore/models';
import type { IntegrationEntity, ProjectEntity, UserEntity } from '@semaphore/persistence';
import { badRequest, notFound } from '../../common/api-errors';
import { fromWireIntegration, toWireIntegration } from '../../wire';
import { EventsService } from '../events/events.service';
import type { CreateIntegrationDto, UpdateIntegrationDto } from './dto/integration.dto';
import {
  type IntegrationFields,
  IntegrationsRepository,
  type Referrer,
  type SortOrder,
} from './integrations.repository';

const DEFAULT_FIELDS: Omit<IntegrationFields, 'name' | 'templateId'> = {
  authMethod: IntegrationAuthMethod.None,
  authSecretId: null,
  authHeader: '',
  searchable: false,
  taskParams: null,
};

/** Integrations (incoming webhooks) of a project. The auth secret itself lives in an access key and is never read here. */
@Injectable()
export class IntegrationsService {
  constructor(
    private readonly integrations: IntegrationsRepository,
    private readonly events: EventsService,
  ) {}

  async list(project: ProjectEntity, order: SortOrder): Promise<WireIntegration[]> {
    return (await this.integrations.list(project.id, order)).map((i) => toWireIntegration(i));
  }

  /** The integration of this project, or 404 (also for another project's integration). */
  async require(project: ProjectEntity, id: number): Promise<IntegrationEntity> {
    const integration = await this.integrations.find(project.id, id);
    if (!integration) throw notFound('Integration');
    return integration;
  }

  async get(project: ProjectEntity, id: number): Promise<WireIntegration> {
    return toWireIntegration(await this.require(project, id));
  }

  async create(project: ProjectEntity, user: UserEntity, body: CreateIntegrationDto): Promise<WireIntegration> {
    checkProjectId(project, body.project_id);
    const fields: IntegrationFields = {
      ...DEFAULT_FIELDS,
      ...fromWireIntegration(body),
      name: body.name,
      templateId: body.template_id,
    };
    await this.checkReferences(project, fields);
    const created = await this.integrations.create(project.id, fields);
    await this.log(project, user, created, 'created');
    return toWireIntegration(created);
  }

  async update(project: ProjectEntity, user: UserEntity, id: number, body: UpdateIntegrationDto): Promise<void> {
    checkProjectId(project, body.project_id);
    if (body.id !== undefined && body.id !== id) throw badRequest('id must match the integration in the URL');
    const existing = await this.require(project, id);
    const fields: IntegrationFields = {
      name: existing.name,
      templateId: existing.templateId,
      authMethod: existing.authMethod,
      authSecretId: existing.authSecretId,
      authHeader: existing.authHeader,
      searchable: existing.searchable,
      taskParams: existing.taskParams,
      ...fromWireIntegration(body),
    };
    await this.checkReferences(project, fields);
    await this.integrations.update(project.id, id, fields);
    await this.log(project, user, { ...existing, ...fields }, 'updated');
  }

  async delete(project: ProjectEntity, user: UserEntity, id: number): Promise<void> {
    const existing = await this.require(project, id);
    await this.integrations.delete(project.id, id);
    await this.log(project, user, existing, 'deleted');
  }

  async refs(project: ProjectEntity, id: number): Promise<{ matchers: Referrer[]; values: Referrer[] }> {
    await this.require(project, id);
    return this.integrations.referrers(id);
  }

  /**
   * The template and the auth secret must be objects of this project (not copied from upstream, which checks neither).
   * An authenticated method needs a login_password key: its password is the shared secret or token.
   */
  private async checkReferences(project: ProjectEntity, fields: IntegrationFields): Promise<void> {
    if (!(await this.integrations.templateExists(project.id, fields.templateId))) {
      throw badRequest('template_id must be a template of this project');
    }
    if (fields.authSecretId === null) {
      if (fields.authMethod !== IntegrationAuthMethod.None) {
        throw badRequest(`auth_secret_id is required when auth_method is ${fields.authMethod}`);
      }
      return;
    }
    const key = await this.integrations.findKey(project.id, fields.authSecretId);
    if (!key) throw badRequest('auth_secret_id must be an access key of this project');
    if (key.type !== AccessKeyType.LoginPassword) {
      throw badRequest('auth_secret_id must be a login_password access key (its password is the secret)');
    }
  }

  private log(
    project: ProjectEntity,
    user: UserEntity,
    integration: Pick<IntegrationEntity, 'id' | 'name'>,
    what: string,
  ) {
    return this.events.log({
      projectId: project.id,
      userId: user.id,
      objectType: 'integration',
      objectId: integration.id,
      description: `Integration ${integration.name} ${what}`,
    });
  }
}

function checkProjectId(project: ProjectEntity, bodyProjectId: number | undefined): void {
  if (bodyProjectId !== undefined && bodyProjectId !== project.id) {
    throw badRequest('project_id must match the project in the URL');
  }
}
