export { LineSplitter } from './lib/line-splitter';
export { UnsafeArgumentError, assertRelativePath } from './lib/apps/arg-safety';
export { ansiblePlaybookArgs } from './lib/apps/ansible-args';
export type { AnsiblePlaybookArgs } from './lib/apps/ansible-args';
export { buildExtraVars, dangerousExtraVarKeys, formatVarArgument } from './lib/apps/extra-vars';
export type { ExtraVars, TaskDetails } from './lib/apps/extra-vars';
export { SupervisedProcess } from './lib/process/supervised-process';
export type { ProcessResult, ProcessSpec } from './lib/process/supervised-process';
