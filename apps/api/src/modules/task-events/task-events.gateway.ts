import type { IncomingMessage } from 'node:http';
import { Logger, type OnModuleDestroy } from '@nestjs/common';
import {
  WebSocketGateway,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
} from '@nestjs/websockets';
import type { WebSocket, WebSocketServer } from 'ws';
import type { TaskEventBatch } from '@semaphore/models';
import { ProjectAudience, TaskClaimCache } from './task-event-audience';
import type { LiveBatchSink } from './task-event-live-reader';
import { relayBatches } from './task-event-relay';
import { WsAuthenticator, type WsPrincipal } from './ws-authenticator';
import { WsConnectionHub } from './ws-connection-hub';

/** Clients are pinged this often; one that did not answer the previous ping is dropped. */
const PING_EVERY_MS = 30_000;
/** Client messages are read and discarded; a larger one closes the connection (1009), as upstream's read limit. */
const MAX_CLIENT_MESSAGE = 512;

/**
 * `GET /api/ws` (RFC 6455, the ws adapter; gateway paths are not affected by the global `api` prefix, so the path is
 * given in full). The upgrade is authenticated BEFORE the handshake completes (401 otherwise). Server -> client only:
 * task `log`, `update` and `progress` messages of the projects the user is a member of (every project for admins).
 *
 * Reconnecting: messages sent while a client was away are not replayed. A client re-fetches
 * `GET /api/project/{p}/tasks/{id}/output?after_seq=<seq of the last log message it saw>` and then continues with
 * the live messages (log messages carry `seq`; a line received twice has the same seq).
 */
@WebSocketGateway({ path: '/api/ws', maxPayload: MAX_CLIENT_MESSAGE })
export class TaskEventsGateway
  implements
    OnGatewayInit<WebSocketServer>,
    OnGatewayConnection<WebSocket>,
    OnGatewayDisconnect<WebSocket>,
    LiveBatchSink,
    OnModuleDestroy
{
  private readonly logger = new Logger(TaskEventsGateway.name);
  private readonly hub = new WsConnectionHub(this.logger);
  private readonly principals = new WeakMap<IncomingMessage, WsPrincipal>();
  private pinger: NodeJS.Timeout | null = null;

  constructor(
    private readonly auth: WsAuthenticator,
    private readonly audience: ProjectAudience,
    private readonly claims: TaskClaimCache,
  ) {}

  /** WebSocket clients connected to this replica. */
  get connectionCount(): number {
    return this.hub.size;
  }

  afterInit(server: WebSocketServer): void {
    // The adapter creates the server from the decorator's static options; the check needs injected services.
    server.options.verifyClient = (info, done) => {
      this.auth.authenticate(info.req).then(
        (principal) => {
          if (!principal) return done(false, 401, 'Unauthorized');
          this.principals.set(info.req, principal);
          done(true);
        },
        (err: unknown) => {
          this.logger.error(`WebSocket authentication failed: ${String(err)}`);
          done(false, 503, 'Service Unavailable');
        },
      );
    };
    this.pinger = setInterval(() => void this.hub.heartbeat(), PING_EVERY_MS);
    this.pinger.unref();
  }

  handleConnection(socket: WebSocket, req: IncomingMessage): void {
    const principal = this.principals.get(req);
    if (!principal) {
      socket.close(1008, 'not authenticated');
      return;
    }
    this.hub.add(socket, principal);
  }

  handleDisconnect(socket: WebSocket): void {
    this.hub.remove(socket);
  }

  onModuleDestroy(): void {
    if (this.pinger) clearInterval(this.pinger);
    this.hub.closeAll();
  }

  wantsBatches(): boolean {
    return this.hub.size > 0;
  }

  /** Relays one read of the stream, in order. Runner batches must match the task's claim. */
  async onBatches(batches: TaskEventBatch[]): Promise<void> {
    await relayBatches(batches, {
      claimOf: (batch) => this.claims.check(batch),
      members: (projectId) => this.audience.members(projectId),
      send: (frames, mayReceive) => this.hub.send(frames, mayReceive),
    });
  }
}
