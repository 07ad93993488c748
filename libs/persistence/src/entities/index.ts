export { UserEntity } from './user.entity';
export { SessionEntity } from './session.entity';
export { ApiTokenEntity } from './api-token.entity';
export { ProjectEntity } from './project.entity';
export { ProjectMemberEntity } from './project-member.entity';
export { AccessKeyEntity } from './access-key.entity';
export { RepositoryEntity } from './repository.entity';
export { InventoryEntity } from './inventory.entity';
export { EnvironmentEntity, EnvironmentSecretEntity } from './environment.entity';
export { TemplateEntity, TemplateVaultEntity } from './template.entity';
export type { SurveyVar, SurveyVarValue } from './template.entity';
export { ScheduleEntity } from './schedule.entity';
export { ViewEntity } from './view.entity';
export { TaskEntity, TaskOutputEntity } from './task.entity';
export type { TaskProgress } from './task.entity';
export { EventEntity } from './event.entity';
export { RunnerEntity } from './runner.entity';
export {
  IntegrationEntity,
  IntegrationMatcherEntity,
  IntegrationExtractValueEntity,
  IntegrationAliasEntity,
} from './integration.entity';
export { OptionEntity } from './option.entity';
