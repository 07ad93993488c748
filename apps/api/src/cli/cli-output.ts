/** A user error: printed as one line, exit code 1, no stack trace. */
export class CliError extends Error {}

export interface CliOutput {
  line(text: string): void;
  error(text: string): void;
}

export const processOutput: CliOutput = {
  line: (text) => process.stdout.write(`${text}\n`),
  error: (text) => process.stderr.write(`${text}\n`),
};
