import type { Logger } from '@nestjs/common';
import { WebSocket } from 'ws';
import type { WsPrincipal } from './ws-authenticator';

/** A client whose unsent data exceeds this is too slow to follow: it is disconnected (it reconnects and re-fetches). */
export const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

interface Connection {
  socket: WebSocket;
  principal: WsPrincipal;
  alive: boolean;
}

/** The WebSocket connections of this replica, with the users they belong to. */
export class WsConnectionHub {
  private readonly connections = new Map<WebSocket, Connection>();

  constructor(
    private readonly logger: Pick<Logger, 'log' | 'warn'>,
    private readonly maxBufferedBytes = MAX_BUFFERED_BYTES,
  ) {}

  get size(): number {
    return this.connections.size;
  }

  add(socket: WebSocket, principal: WsPrincipal): void {
    const connection: Connection = { socket, principal, alive: true };
    this.connections.set(socket, connection);
    socket.on('pong', () => {
      connection.alive = true;
    });
    socket.on('close', () => this.connections.delete(socket));
  }

  remove(socket: WebSocket): void {
    this.connections.delete(socket);
  }

  /** Sends the frames, in order, to every connection `mayReceive` accepts. */
  send(frames: string[], mayReceive: (principal: WsPrincipal) => boolean): void {
    if (frames.length === 0) return;
    for (const c of this.connections.values()) {
      if (!mayReceive(c.principal)) continue;
      for (const frame of frames) {
        if (!this.sendOne(c, frame)) break;
      }
    }
  }

  /**
   * Ping round: a connection that did not answer the previous ping is terminated; so is one whose credential is no
   * longer valid (logout, expired session or token). The others are pinged.
   */
  async heartbeat(): Promise<void> {
    const checks: Array<Promise<void>> = [];
    for (const c of this.connections.values()) {
      if (!c.alive) {
        this.drop(c, 'no pong');
        continue;
      }
      c.alive = false;
      c.socket.ping();
      checks.push(
        c.principal.stillValid().then(
          (valid) => {
            if (!valid) this.close(c, 1008, 'credential no longer valid');
          },
          () => undefined, // database unreachable: keep the connection, check again next round
        ),
      );
    }
    await Promise.all(checks);
  }

  /** Closes every connection (shutdown). */
  closeAll(): void {
    for (const c of this.connections.values()) this.close(c, 1001, 'server shutting down');
  }

  private sendOne(c: Connection, frame: string): boolean {
    if (c.socket.readyState !== WebSocket.OPEN) return false;
    if (c.socket.bufferedAmount > this.maxBufferedBytes) {
      this.drop(c, `too slow (${c.socket.bufferedAmount} bytes unsent)`);
      return false;
    }
    c.socket.send(frame);
    return true;
  }

  private drop(c: Connection, why: string): void {
    this.logger.warn(`dropping WebSocket of user ${c.principal.userId}: ${why}`);
    this.connections.delete(c.socket);
    c.socket.terminate();
  }

  private close(c: Connection, code: number, why: string): void {
    this.logger.log(`closing WebSocket of user ${c.principal.userId}: ${why}`);
    this.connections.delete(c.socket);
    c.socket.close(code, why);
  }
}
