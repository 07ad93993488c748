import { utils } from 'ssh2';

/**
 * Checks that `privateKey` is a private key ssh can use (PEM or OpenSSH format), decrypting it with `passphrase`
 * when it is encrypted. Returns a problem naming the field, or null. The messages never contain key material.
 */
export function sshPrivateKeyProblem(privateKey: string, passphrase: string): string | null {
  let parsed: ReturnType<typeof utils.parseKey>;
  try {
    parsed = utils.parseKey(privateKey, passphrase === '' ? undefined : passphrase);
  } catch {
    return 'ssh.private_key must be a PEM or OpenSSH private key';
  }
  if (parsed instanceof Error) {
    if (/no passphrase given/i.test(parsed.message)) return 'ssh.passphrase is required: the private key is encrypted';
    if (/passphrase|decrypt|integrity/i.test(parsed.message)) return 'ssh.passphrase does not decrypt ssh.private_key';
    return 'ssh.private_key must be a PEM or OpenSSH private key';
  }
  const keys = Array.isArray(parsed) ? parsed : [parsed];
  if (keys.length !== 1 || !keys[0].isPrivateKey()) {
    return 'ssh.private_key must be one private key (not a public key)';
  }
  return null;
}
