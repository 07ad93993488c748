export { GIT_URL_SCHEMES, gitBranchProblem, gitUrlKind, gitUrlProblem, isLocalGitUrl } from './git.validator';
export type { GitUrlKind } from './git.validator';
export { relativePathProblem } from './path.validator';
export { jsonObjectProblem, jsonStringArrayProblem, jsonStringMapProblem } from './json-text.validator';
export {
  IsGitBranch,
  IsGitUrl,
  IsJsonObjectText,
  IsJsonStringArrayText,
  IsJsonStringMapText,
  IsRelativePath,
} from './decorators.validator';
export { listOrder } from './list-order.validator';
export type { ListOrder } from './list-order.validator';
