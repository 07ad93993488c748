import { classifyAddress, refusalReason, type AddressPolicy } from './address-policy';

const STRICT: AddressPolicy = { allowPrivate: false, allowedHosts: [] };

describe('classifyAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['169.254.169.254', 'metadata'],
    ['169.254.170.2', 'metadata'],
    ['100.100.100.200', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['169.254.1.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['febf:ffff::1', 'link-local'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['240.0.0.1', 'reserved'],
    ['2001:db8::1', 'reserved'],
    ['8.8.8.8', 'public'],
    ['172.32.0.1', 'public'],
    ['2606:4700:4700::1111', 'public'],
    ['not-an-ip', 'invalid'],
  ])('%s is %s', (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });

  it.each([
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['::ffff:a9fe:a9fe', 'metadata'],
    ['::127.0.0.1', 'loopback'],
    ['64:ff9b::169.254.169.254', 'metadata'],
    ['::ffff:8.8.8.8', 'public'],
  ])('the IPv4 address inside %s decides (%s)', (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });
});

describe('refusalReason', () => {
  it('refuses loopback, link-local, metadata and private addresses by default and names the kind', () => {
    expect(refusalReason('127.0.0.1', STRICT)).toBe('127.0.0.1 is a loopback address');
    expect(refusalReason('169.254.169.254', STRICT)).toBe('169.254.169.254 is a metadata address');
    expect(refusalReason('fe80::1', STRICT)).toBe('fe80::1 is a link-local address');
    expect(refusalReason('10.0.0.1', STRICT)).toBe('10.0.0.1 is a private address');
    expect(refusalReason('0.0.0.0', STRICT)).toBe('0.0.0.0 is a unspecified address');
    expect(refusalReason('93.184.216.34', STRICT)).toBeNull();
  });

  it('allowPrivate lets loopback, private and link-local through, never metadata nor unspecified', () => {
    const open: AddressPolicy = { allowPrivate: true, allowedHosts: [] };
    expect(refusalReason('127.0.0.1', open)).toBeNull();
    expect(refusalReason('::1', open)).toBeNull();
    expect(refusalReason('192.168.0.10', open)).toBeNull();
    expect(refusalReason('169.254.3.4', open)).toBeNull();
    expect(refusalReason('169.254.169.254', open)).not.toBeNull();
    expect(refusalReason('0.0.0.0', open)).not.toBeNull();
  });

  it('an allowlisted address or CIDR range is reached whatever it is', () => {
    const listed: AddressPolicy = { allowPrivate: false, allowedHosts: ['10.20.0.0/16', '::1', 'chat.internal'] };
    expect(refusalReason('10.20.3.4', listed)).toBeNull();
    expect(refusalReason('10.21.3.4', listed)).not.toBeNull();
    expect(refusalReason('0:0:0:0:0:0:0:1', listed)).toBeNull();
    expect(refusalReason('127.0.0.1', listed)).not.toBeNull();
  });
});
