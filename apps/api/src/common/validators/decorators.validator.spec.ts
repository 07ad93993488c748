import { validateSync } from 'class-validator';
import {
  IsGitBranch,
  IsGitUrl,
  IsJsonObjectText,
  IsJsonStringArrayText,
  IsJsonStringMapText,
  IsRelativePath,
} from './decorators.validator';

class Sample {
  @IsGitUrl() git_url: unknown = 'https://host/repo.git';
  @IsGitBranch() git_branch: unknown = 'main';
  @IsRelativePath() playbook: unknown = 'site.yml';
  @IsJsonObjectText() json: unknown = '{}';
  @IsJsonStringMapText() env: unknown = '{"A":"b"}';
  @IsJsonStringArrayText() arguments: unknown = '[]';
}

function messages(fields: Partial<Sample>): string[] {
  const sample = Object.assign(new Sample(), fields);
  return validateSync(sample).flatMap((e) => Object.values(e.constraints ?? {}));
}

describe('validator decorators', () => {
  it('pass valid values', () => {
    expect(messages({})).toEqual([]);
  });

  it('name the field and the problem', () => {
    expect(messages({ git_url: '--upload-pack=x' })).toEqual(['git_url must not start with "-"']);
    expect(messages({ git_branch: '-x' })).toEqual(['git_branch must not start with "-"']);
    expect(messages({ playbook: '../x.yml' })).toEqual([expect.stringMatching(/^playbook must stay inside/)]);
    expect(messages({ json: '[]' })).toEqual([expect.stringMatching(/^json must be a JSON object/)]);
    expect(messages({ env: '{"A":1}' })).toEqual([expect.stringMatching(/^env must have string values only/)]);
    expect(messages({ arguments: '{}' })).toEqual(['arguments must be a JSON array of strings']);
  });

  it('refuse non-strings', () => {
    expect(messages({ git_url: 42, json: null })).toEqual(['git_url must be a string', 'json must be a string']);
  });
});
