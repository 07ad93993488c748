import { attachmentDisposition } from './content-disposition';

describe('attachmentDisposition', () => {
  it('quotes a plain ASCII name and repeats it encoded', () => {
    expect(attachmentDisposition('syslog.1')).toBe(`attachment; filename="syslog.1"; filename*=UTF-8''syslog.1`);
  });

  it('percent-encodes UTF-8 and everything outside attr-char in filename*', () => {
    const header = attachmentDisposition("naïve 'file' (1)*.txt");
    expect(header).toBe(
      `attachment; filename="na_ve 'file' (1)*.txt"; filename*=UTF-8''na%C3%AFve%20%27file%27%20%281%29%2A.txt`,
    );
    const encoded = header.split("UTF-8''")[1];
    expect(decodeURIComponent(encoded)).toBe("naïve 'file' (1)*.txt");
  });

  it('cannot be quoted out of or split into another header', () => {
    const header = attachmentDisposition('a"; filename="evil.html\r\nSet-Cookie: x=1\\');
    expect(header).not.toMatch(/[\r\n]/);
    const quoted = /filename="([^"]*)"/.exec(header)?.[1];
    expect(quoted).toBe('a__ filename=_evil.html__Set-Cookie: x=1_');
    expect(header.split(';')).toHaveLength(3);
  });

  it('has a fallback for a name with no printable ASCII at all', () => {
    expect(attachmentDisposition('日本')).toBe(`attachment; filename="__"; filename*=UTF-8''%E6%97%A5%E6%9C%AC`);
  });
});
