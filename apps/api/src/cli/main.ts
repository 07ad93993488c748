import 'reflect-metadata';
import { Command, CommanderError } from 'commander';
import { applyConfigFile, ConfigFileError } from '../config';
import { CliError, processOutput, type CliOutput } from './cli-output';
import { registerProjectCommands } from './commands/project.command';
import { registerServerCommands } from './commands/server.command';
import { registerSetupCommand } from './commands/setup.command';
import { registerUserCommands } from './commands/user.command';
import { registerVaultCommands } from './commands/vault.command';
import { productVersion } from './version';

export function buildCli(out: CliOutput): Command {
  const program = new Command('semaphore')
    .description('Semaphore-compatible automation control plane')
    .option('--config <file>', 'JSON config file (default: SEMAPHORE_CONFIG_PATH, ./config.json, /etc/semaphore/...)')
    .option('--no-config', 'read no config file (environment variables only)')
    .showHelpAfterError()
    .exitOverride();
  program.hook('preAction', () => {
    const { config } = program.opts<{ config?: string | false }>();
    const loaded = applyConfigFile(config === false ? { disabled: true } : { explicit: config });
    if (loaded?.ignored.length) out.error(`${loaded.path}: not used here: ${loaded.ignored.join(', ')}`);
  });
  program
    .command('version')
    .description('print the version')
    .action(() => out.line(productVersion()));
  registerServerCommands(program, out);
  registerUserCommands(program, out);
  registerVaultCommands(program, out);
  registerProjectCommands(program, out);
  registerSetupCommand(program, out);
  return program;
}

export async function runCli(argv: string[], out: CliOutput = processOutput): Promise<number> {
  try {
    await buildCli(out).parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (err instanceof CliError || err instanceof ConfigFileError) {
      out.error(`error: ${err.message}`);
      return 1;
    }
    out.error(`error: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

/** Entry point of the `semaphore` command. */
export function cliMain(argv: string[] = process.argv.slice(2)): void {
  const longRunning =
    ['server', 'service'].includes(argv[0] ?? '') || (argv[0] === 'runner' && [undefined, 'start'].includes(argv[1]));
  void runCli(argv).then((code) => {
    // Long-running commands keep the process alive themselves; the others exit when done.
    if (code !== 0 || !longRunning) process.exit(code);
  });
}

if (require.main === module) cliMain();
