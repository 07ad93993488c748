import type { Command } from 'commander';
import { createDataSource } from '@semaphore/persistence';
import { apiConfigFromProcessEnv } from '../../config';
import { SecretCipher } from '../../crypto';
import { CliError, type CliOutput } from '../cli-output';
import { RekeyError, rekeyVault } from '../vault-rekey';

export function registerVaultCommands(program: Command, out: CliOutput): void {
  const vault = program.command('vault').description('manage the encryption of stored secrets');
  vault
    .command('rekey')
    .description('re-encrypt every stored secret with SEMAPHORE_ACCESS_KEY_ENCRYPTION (after changing it)')
    .requiredOption('--old-key <base64>', 'the previous SEMAPHORE_ACCESS_KEY_ENCRYPTION')
    .action(async (opts: { oldKey: string }) => {
      const config = apiConfigFromProcessEnv();
      let oldCipher: SecretCipher;
      try {
        oldCipher = new SecretCipher(opts.oldKey);
      } catch {
        throw new CliError('--old-key must be the base64 of 32 bytes');
      }
      const ds = createDataSource({ ...config.db, poolSize: 1 });
      await ds.initialize();
      try {
        out.line('re-encrypting stored secrets...');
        const c = await rekeyVault(ds, oldCipher, new SecretCipher(config.secrets.accessKeyEncryption));
        out.line(
          `re-encrypted ${c.accessKeys} access keys, ${c.environmentSecrets} environment secrets, ` +
            `${c.totpSecrets} TOTP secrets, ${c.taskSecrets} task secrets (${c.alreadyNew} already under the new key)`,
        );
      } catch (err) {
        if (err instanceof RekeyError) throw new CliError(err.message);
        throw err;
      } finally {
        await ds.destroy();
      }
    });
}
