import { knownHostFingerprints } from './known-hosts';

// Two real ed25519 host keys and their fingerprints as `ssh-keygen -lf` prints them.
const KEY_A = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFJJ15gI+UHe9gmlii0heE4XpngfH8jRDvUc+2xaXVVW';
const FP_A = 'SHA256:zpsHFf/adRURuaSKPAi44oJkGebBLZighY4jtjHHvpk';
const KEY_B = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINFFy45Qo+W1ny5uPZpV1OxBb/WZUX5mkzSTXTrgLPpa';
const FP_B = 'SHA256:2UADlm83rr6xGiKmLUJ2ieOYkhk6XA7LvVJE80OZgRk';
// `ssh-keygen -H` of "example.org KEY_A" and "[example.org]:2222 KEY_B".
const HASHED = [
  '|1|SbujaPJ6T22AqhC9iGv72097mvE=|q1PE5aqhxpyu1pGEyV1+02KqPug= ' + KEY_A,
  '|1|pmLkcyoeZWch5zxtQvuYXgui85g=|DW7gA3udWnTivOwHk3kitdQzsFA= ' + KEY_B,
];

const known = (lines: string[], host: string, port: number) => knownHostFingerprints(lines, host, port).fingerprints;

describe('knownHostFingerprints', () => {
  it('matches a plain host name on port 22 only, and [host]:port on other ports', () => {
    const lines = [`example.org ${KEY_A}`, `[example.org]:2222 ${KEY_B} comment here`];
    expect(known(lines, 'example.org', 22)).toEqual([FP_A]);
    expect(known(lines, 'example.org', 2222)).toEqual([FP_B]);
    expect(known(lines, 'example.org', 2200)).toEqual([]);
    expect(known(lines, 'other.org', 22)).toEqual([]);
  });

  it('matches host names case-insensitively and through comma-separated lists', () => {
    const lines = [`alpha,Example.ORG,[10.0.0.1]:2222 ${KEY_A}`];
    expect(known(lines, 'example.org', 22)).toEqual([FP_A]);
    expect(known(lines, 'EXAMPLE.org', 22)).toEqual([FP_A]);
    expect(known(lines, '10.0.0.1', 2222)).toEqual([FP_A]);
    expect(known(lines, '10.0.0.1', 22)).toEqual([]);
  });

  it('expands * and ? wildcards over the whole looked-up name', () => {
    const lines = [`*.example.org ${KEY_A}`, `web?.test ${KEY_B}`];
    expect(known(lines, 'db.example.org', 22)).toEqual([FP_A]);
    expect(known(lines, 'example.org', 22)).toEqual([]);
    expect(known(lines, 'web1.test', 22)).toEqual([FP_B]);
    expect(known(lines, 'web12.test', 22)).toEqual([]);
    expect(known([`[*.example.org]:* ${KEY_A}`], 'db.example.org', 2022)).toEqual([FP_A]);
    // Regular-expression characters in a pattern are literal.
    expect(known([`web.test ${KEY_A}`], 'webxtest', 22)).toEqual([]);
  });

  it('excludes a line when a negated pattern matches, whatever else matches', () => {
    const lines = [`*.example.org,!secret.example.org ${KEY_A}`];
    expect(known(lines, 'www.example.org', 22)).toEqual([FP_A]);
    expect(known(lines, 'secret.example.org', 22)).toEqual([]);
    // A line of only negations matches nothing.
    expect(known([`!other ${KEY_A}`], 'example.org', 22)).toEqual([]);
  });

  it('matches hashed entries by HMAC-SHA1 of host or [host]:port', () => {
    expect(known(HASHED, 'example.org', 22)).toEqual([FP_A]);
    expect(known(HASHED, 'example.org', 2222)).toEqual([FP_B]);
    expect(known(HASHED, 'example.com', 22)).toEqual([]);
    expect(known(['|1|broken ' + KEY_A], 'example.org', 22)).toEqual([]);
  });

  it('lists @revoked keys and never returns them as known, even when another line lists them', () => {
    const lines = [`example.org ${KEY_A}`, `example.org ${KEY_B}`, `@revoked * ${KEY_A}`];
    expect(knownHostFingerprints(lines, 'example.org', 22)).toEqual({ fingerprints: [FP_B], revoked: [FP_A] });
    // A revocation for another host does not apply.
    expect(known([`example.org ${KEY_A}`, `@revoked other.org ${KEY_A}`], 'example.org', 22)).toEqual([FP_A]);
  });

  it('ignores @cert-authority lines, comments, blank and malformed lines, and lists each key once', () => {
    const lines = [
      '# a comment',
      '',
      '   ',
      `@cert-authority *.example.org ${KEY_B}`,
      '@unknown-marker example.org ' + KEY_B,
      'example.org ssh-ed25519',
      'example.org ssh-ed25519 not!base64',
      `example.org ${KEY_A}`,
      `  example.org   ${KEY_A}  `,
    ];
    expect(knownHostFingerprints(lines, 'example.org', 22)).toEqual({ fingerprints: [FP_A], revoked: [] });
  });
});
