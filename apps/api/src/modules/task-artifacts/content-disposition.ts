/** RFC 5987 `attr-char`s that need no percent-encoding. */
const ATTR_CHAR = /[A-Za-z0-9!#$&+\-.^_`|~]/;

function encodeExtValue(name: string): string {
  let out = '';
  for (const byte of Buffer.from(name, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += byte < 0x80 && ATTR_CHAR.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * `attachment; filename="<fallback>"; filename*=UTF-8''<encoded>` (RFC 6266 with RFC 5987 encoding): the quoted
 * fallback keeps printable ASCII only (anything else, and `"` `\` `;` `,` `%`, become `_`), so no header can be
 * split or quoted out of, nor a naive parser misled; clients that read `filename*` get the exact name.
 */
export function attachmentDisposition(fileName: string): string {
  const fallback = fileName.replace(/[^\u0020-\u007e]|["\\;,%]/gu, '_') || 'download';
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeExtValue(fileName)}`;
}
