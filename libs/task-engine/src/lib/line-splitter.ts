/**
 * Turns a byte stream of process output into log lines: split on `\n`, drop a trailing `\r`, decode UTF-8 without
 * breaking a multi-byte character across chunks, and cut lines longer than `maxLineBytes` so one runaway line
 * cannot exhaust memory.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private readonly decoder = new TextDecoder('utf-8');

  constructor(private readonly maxLineBytes = 64 * 1024) {
    if (!Number.isInteger(maxLineBytes) || maxLineBytes < 1) throw new Error('maxLineBytes must be a positive integer');
  }

  /** Returns the lines completed by this chunk (without their line endings). */
  push(chunk: Buffer | string): string[] {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    const lines: string[] = [];
    let start = 0;
    for (let nl = buf.indexOf(0x0a, start); nl !== -1; nl = buf.indexOf(0x0a, start)) {
      this.append(buf.subarray(start, nl), lines);
      lines.push(this.take(true));
      start = nl + 1;
    }
    this.append(buf.subarray(start), lines);
    return lines;
  }

  /** The unterminated rest, if any (call when the stream ends). */
  flush(): string[] {
    return this.pendingBytes > 0 ? [this.take(true)] : [];
  }

  private append(part: Buffer, lines: string[]): void {
    let rest = part;
    while (this.pendingBytes + rest.length > this.maxLineBytes) {
      const room = this.maxLineBytes - this.pendingBytes;
      this.pending.push(rest.subarray(0, room));
      this.pendingBytes += room;
      lines.push(this.take(false));
      rest = rest.subarray(room);
    }
    if (rest.length > 0) {
      this.pending.push(rest);
      this.pendingBytes += rest.length;
    }
  }

  /** Decodes the pending bytes; `end` finishes the line (a split multi-byte character stays for the next piece). */
  private take(end: boolean): string {
    const bytes = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    let text = this.decoder.decode(bytes, { stream: !end });
    if (end && text.endsWith('\r')) text = text.slice(0, -1);
    return text;
  }
}
