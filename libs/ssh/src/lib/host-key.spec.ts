import { acceptedHostKey, fingerprintSha256, hostKeyAccepted, hostKeyVerdict, publicKeyBlob } from './host-key';

const LINE = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFJJ15gI+UHe9gmlii0heE4XpngfH8jRDvUc+2xaXVVW c1';
const FP = 'SHA256:zpsHFf/adRURuaSKPAi44oJkGebBLZighY4jtjHHvpk';
const OTHER = 'SHA256:2UADlm83rr6xGiKmLUJ2ieOYkhk6XA7LvVJE80OZgRk';
const key = publicKeyBlob(LINE);

describe('host key policy', () => {
  it('fingerprints a key blob as ssh-keygen does', () => {
    expect(fingerprintSha256(key)).toBe(FP);
  });

  it('accepts known keys, refuses others, and with accept-new trusts only a host with no known key', () => {
    expect(hostKeyVerdict({ fingerprints: [OTHER, FP] }, key)).toBe('known');
    expect(hostKeyVerdict({ fingerprints: [OTHER] }, key)).toBe('unknown');
    expect(hostKeyVerdict({ fingerprints: [] }, key)).toBe('unknown');
    expect(hostKeyVerdict({ fingerprints: [], acceptNew: true }, key)).toBe('new');
    expect(hostKeyVerdict({ fingerprints: [OTHER], acceptNew: true }, key)).toBe('unknown');
    expect(hostKeyAccepted({ fingerprints: [OTHER], acceptNew: true }, key)).toBe(false);
    expect(hostKeyAccepted({ fingerprints: [], acceptNew: true }, key)).toBe(true);
  });

  it('refuses a revoked key whether known or new', () => {
    expect(hostKeyVerdict({ fingerprints: [FP], revoked: [FP] }, key)).toBe('revoked');
    expect(hostKeyVerdict({ fingerprints: [], revoked: [FP], acceptNew: true }, key)).toBe('revoked');
  });

  it('describes an accepted key as a known_hosts line needs it', () => {
    expect(acceptedHostKey(key)).toEqual({
      fingerprint: FP,
      keyType: 'ssh-ed25519',
      keyBase64: LINE.split(' ')[1],
    });
  });
});
