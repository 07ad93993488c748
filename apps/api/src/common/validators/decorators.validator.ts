import { ValidateBy, type ValidationArguments, type ValidationOptions } from 'class-validator';
import { gitBranchProblem, gitUrlProblem } from './git.validator';
import { jsonObjectProblem, jsonStringArrayProblem, jsonStringMapProblem } from './json-text.validator';
import { relativePathProblem } from './path.validator';

type ProblemCheck = (value: string) => string | null;

/** A class-validator decorator from a problem check; the message is `<field> <problem>`. */
function fromProblem(name: string, check: ProblemCheck, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name,
      validator: {
        validate: (value: unknown) => typeof value === 'string' && check(value) === null,
        defaultMessage: (args?: ValidationArguments) => {
          const value: unknown = args?.value;
          const problem = typeof value === 'string' ? check(value) : 'must be a string';
          return `${args?.property ?? 'value'} ${problem ?? 'is invalid'}`;
        },
      },
    },
    options,
  );
}

export const IsGitUrl = (options?: ValidationOptions) => fromProblem('isGitUrl', gitUrlProblem, options);
export const IsGitBranch = (options?: ValidationOptions) => fromProblem('isGitBranch', gitBranchProblem, options);
export const IsRelativePath = (options?: ValidationOptions) =>
  fromProblem('isRelativePath', relativePathProblem, options);
export const IsJsonObjectText = (options?: ValidationOptions) =>
  fromProblem('isJsonObjectText', jsonObjectProblem, options);
export const IsJsonStringMapText = (options?: ValidationOptions) =>
  fromProblem('isJsonStringMapText', jsonStringMapProblem, options);
export const IsJsonStringArrayText = (options?: ValidationOptions) =>
  fromProblem('isJsonStringArrayText', jsonStringArrayProblem, options);
