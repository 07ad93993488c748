import { jsonObjectProblem, jsonStringArrayProblem, jsonStringMapProblem } from './json-text.validator';

describe('JSON text checks', () => {
  it('jsonObjectProblem wants an object', () => {
    expect(jsonObjectProblem('{}')).toBeNull();
    expect(jsonObjectProblem('{"a":{"b":[1,2]},"n":1}')).toBeNull();
    for (const text of ['', 'not json', '[]', 'null', '"x"', '1', '{"a":']) {
      expect([text, jsonObjectProblem(text)]).toEqual([text, expect.stringMatching(/object/)]);
    }
  });

  it('jsonStringMapProblem wants an object of strings usable as environment variables', () => {
    expect(jsonStringMapProblem('{}')).toBeNull();
    expect(jsonStringMapProblem('{"APP_ENV":"prod","x.y":""}')).toBeNull();
    expect(jsonStringMapProblem('[]')).toMatch(/object of string values/);
    expect(jsonStringMapProblem('nope')).toMatch(/object of string values/);
    expect(jsonStringMapProblem('{"N":1}')).toMatch(/"N" is not a string/);
    expect(jsonStringMapProblem('{"N":{"a":"b"}}')).toMatch(/string values only/);
    expect(jsonStringMapProblem('{"A=B":"x"}')).toMatch(/names/);
    expect(jsonStringMapProblem('{"":"x"}')).toMatch(/names/);
    expect(jsonStringMapProblem('{"A":"x\\u0000y"}')).toMatch(/NUL/);
  });

  it('jsonStringArrayProblem wants an array of strings', () => {
    expect(jsonStringArrayProblem('[]')).toBeNull();
    expect(jsonStringArrayProblem('["--check","-v"]')).toBeNull();
    expect(jsonStringArrayProblem('[1]')).toMatch(/array of strings/);
    expect(jsonStringArrayProblem('{}')).toMatch(/array of strings/);
    expect(jsonStringArrayProblem('x')).toMatch(/valid JSON/);
  });
});
