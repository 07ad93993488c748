import { Readable } from 'node:stream';
import type { SFTPWrapper } from 'ssh2';

/** The part of an SFTP session this stream uses (ssh2's SFTPWrapper is one). */
export type SftpReadPort = Pick<SFTPWrapper, 'open' | 'read' | 'close'>;

export interface PipelinedReadOptions {
  /** Where to start reading (a resumed download). Default 0. */
  start?: number;
  /** Bytes per READ request; kept within one SFTP packet. Default 64 KiB. */
  chunkSize?: number;
  /** READ requests in flight at once. Default 16 (1 MiB with the default chunk). */
  depth?: number;
}

interface Slot {
  position: number;
  length: number;
  buffer: Buffer;
  /** Bytes read; undefined while the request is in flight. */
  got?: number;
}

const DEFAULT_CHUNK = 64 * 1024;
const DEFAULT_DEPTH = 16;

/**
 * A remote file as a Readable that keeps several READ requests in flight (ssh2's own read stream waits for each
 * answer before asking for the next, which leaves a loopback link idle most of the time). Chunks come out in file
 * order; a short answer in the middle of the file is completed by another request before anything after it is
 * emitted, and an empty answer (end of file) ends the stream. Backpressure holds: no new request is sent while
 * the consumer is not reading, so at most `depth * chunkSize` bytes wait in memory besides the stream's buffer.
 * Errors are ssh2's own (with their SFTP status code) for sftpError to name.
 */
export class PipelinedSftpReadStream extends Readable {
  private handle: Buffer | null = null;
  private readonly slots: Slot[] = [];
  private next: number;
  private readonly chunkSize: number;
  private readonly depth: number;
  private eof = false;
  private wanted = false;

  constructor(
    private readonly sftp: SftpReadPort,
    private readonly path: string,
    opts: PipelinedReadOptions = {},
  ) {
    super({ highWaterMark: (opts.chunkSize ?? DEFAULT_CHUNK) * 2 });
    this.next = opts.start ?? 0;
    this.chunkSize = opts.chunkSize ?? DEFAULT_CHUNK;
    this.depth = opts.depth ?? DEFAULT_DEPTH;
  }

  override _construct(callback: (err?: Error | null) => void): void {
    this.sftp.open(this.path, 'r', (err, handle) => {
      if (err) return callback(err);
      this.handle = handle;
      callback();
    });
  }

  override _read(): void {
    this.wanted = true;
    this.fill();
    this.drain();
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    const handle = this.handle;
    this.handle = null;
    this.slots.length = 0;
    if (!handle) return callback(err);
    // Answers still in flight arrive after this and are dropped (the handle is gone).
    this.sftp.close(handle, () => callback(err));
  }

  /** Sends requests until `depth` are in flight (none past the end of file once it is known). */
  private fill(): void {
    while (this.handle && !this.eof && this.wanted && this.slots.length < this.depth) {
      this.request({ position: this.next, length: this.chunkSize, buffer: Buffer.allocUnsafe(this.chunkSize) }, 'end');
      this.next += this.chunkSize;
    }
  }

  private request(slot: Slot, where: 'end' | 'head'): void {
    if (where === 'end') this.slots.push(slot);
    else this.slots.unshift(slot);
    const handle = this.handle;
    if (!handle) return;
    this.sftp.read(handle, slot.buffer, 0, slot.length, slot.position, (err, bytesRead) => {
      if (this.destroyed || this.handle !== handle) return;
      if (err) {
        this.destroy(err);
        return;
      }
      slot.got = bytesRead;
      this.drain();
    });
  }

  /** Emits finished slots from the head, in order. */
  private drain(): void {
    while (this.slots.length > 0 && this.slots[0].got !== undefined && !this.destroyed) {
      const slot = this.slots.shift() as Slot;
      const got = slot.got as number;
      if (got === 0) {
        // End of file: what was asked for beyond it will only say so too.
        this.eof = true;
        this.slots.length = 0;
        this.push(null);
        return;
      }
      if (got < slot.length) {
        // A short answer: the rest of this range is asked for again before anything after it goes out.
        const rest = slot.length - got;
        this.request({ position: slot.position + got, length: rest, buffer: Buffer.allocUnsafe(rest) }, 'head');
      }
      this.wanted = this.push(got === slot.buffer.length ? slot.buffer : slot.buffer.subarray(0, got));
    }
    this.fill();
  }
}
