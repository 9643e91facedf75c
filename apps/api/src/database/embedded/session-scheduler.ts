import type { PGlite } from '@electric-sql/pglite';
import {
  BackendFilter,
  IDLE,
  isStartupMessage,
  listenStatements,
  Notification,
  queryMessage,
  sqlText,
  startupSearchPath,
  SYNC_MESSAGE,
  TERMINATE,
} from './wire-protocol';

type OnData = (data: Uint8Array) => void;

/** What the scheduler knows of one client connection (a pglite-socket handler). */
interface Connection {
  onData: OnData;
  searchPath: string;
  channels: Set<string>;
}

interface Pending {
  handlerId: number;
  /** A protocol message, or null: the connection has gone, undo whatever it left open. */
  message: Uint8Array | null;
  onData: OnData;
  resolve: (bytes: number) => void;
  reject: (error: Error) => void;
}

/**
 * Shares PGlite's single session between many client connections as if each had its own.
 *
 * It replaces pglite-socket 0.2.11's QueryQueueManager (same three methods, which are all that
 * PGLiteSocketHandler calls). That queue interleaves connections message by message and only keeps
 * a connection's turn while `IsTransactionBlock()`: an extended-protocol batch (Parse, Bind,
 * Execute, Sync: every parameterised `pg` query) split over two TCP reads lets another
 * connection's Parse replace the unnamed statement, so a client runs someone else's SQL. Here a
 * connection owns the session from its first message until the backend answers ReadyForQuery
 * 'I' (idle): a whole batch, or a whole BEGIN..COMMIT/ROLLBACK, runs with no other connection's
 * message in between. It also gives each connection the `search_path` of its startup options and
 * routes NOTIFY to the connections that LISTENed (the session would hand it to the notifier).
 */
export class SessionScheduler {
  private readonly queue: Pending[] = [];
  private readonly connections = new Map<number, Connection>();
  private owner: number | null = null;
  private sessionSearchPath: string;
  private relistenPending = false;
  private running = false;
  private drained: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: PGlite,
    private readonly defaultSearchPath: string,
  ) {
    this.sessionSearchPath = defaultSearchPath;
  }

  enqueue(handlerId: number, message: Uint8Array, onData: OnData): Promise<number> {
    return new Promise((resolve, reject) => {
      this.queue.push({ handlerId, message, onData, resolve, reject });
      this.pump();
    });
  }

  clearQueueForHandler(handlerId: number): void {
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const pending = this.queue[i];
      if (pending.handlerId === handlerId && pending.message !== null) {
        this.queue.splice(i, 1);
        pending.reject(new Error('Handler disconnected'));
      }
    }
  }

  /** Called by PGLiteSocketHandler.detach: queued, so it runs between other connections' turns. */
  clearTransactionIfNeeded(handlerId: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = () => resolve();
      this.queue.push({ handlerId, message: null, onData: () => undefined, resolve: done, reject });
      this.pump();
    });
  }

  /** Resolves once nothing runs (pending messages of a connection that owns the session wait). */
  async idle(): Promise<void> {
    while (this.running) await this.drained;
  }

  private pump(): void {
    if (!this.running) this.drained = this.drain();
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      for (let next = this.next(); next; next = this.next()) {
        try {
          next.resolve(await this.run(next));
        } catch (error) {
          next.reject(error instanceof Error ? error : new Error(String(error)));
        }
      }
    } finally {
      this.running = false; // synchronously after the last next(): no enqueue can be missed
    }
  }

  /** The owner's next message; with no owner, the oldest message of any connection. */
  private next(): Pending | undefined {
    const i = this.owner === null ? 0 : this.queue.findIndex((p) => p.handlerId === this.owner);
    return i < 0 ? undefined : this.queue.splice(i, 1)[0];
  }

  private async run({ handlerId, message, onData }: Pending): Promise<number> {
    if (message === null) {
      await this.forget(handlerId);
      return 0;
    }
    let connection = this.connections.get(handlerId);
    if (!connection) {
      connection = { onData, searchPath: this.defaultSearchPath, channels: new Set() };
      this.connections.set(handlerId, connection);
    }
    connection.onData = onData;
    if (isStartupMessage(message)) {
      connection.searchPath = startupSearchPath(message) ?? this.defaultSearchPath;
    } else if (connection.searchPath !== this.sessionSearchPath) {
      await this.setSearchPath(connection.searchPath);
    }
    this.trackListen(connection, message);

    const filter = new BackendFilter();
    let bytes = 0;
    await this.db.runExclusive(() =>
      this.db.execProtocolRawStream(message, {
        onRawData: (chunk) => {
          const out = filter.push(chunk);
          bytes += out.length;
          if (out.length > 0) onData(out);
        },
      }),
    );
    // Idle: the turn ends. In a transaction, or mid-batch (no ReadyForQuery yet): keep it.
    if (filter.readyStatus === IDLE) this.owner = null;
    else if (filter.readyStatus !== undefined || message[0] !== TERMINATE) this.owner = handlerId;
    this.deliver(filter.notifications);
    if (this.owner === null && this.relistenPending) await this.relisten();
    return bytes;
  }

  /** A client that vanished mid-transaction or mid-batch: roll back, as a server would. */
  private async forget(handlerId: number): Promise<void> {
    if (this.owner === handlerId) {
      // ROLLBACK ends a transaction (also the implicit one of an unsynced batch); the Sync ends a
      // batch whose error state would otherwise make the session skip the next client's messages.
      await this.execQuietly(queryMessage('ROLLBACK'));
      await this.execQuietly(SYNC_MESSAGE);
      this.owner = null;
    }
    this.connections.delete(handlerId);
  }

  private async setSearchPath(searchPath: string): Promise<void> {
    const literal = searchPath.replace(/'/g, "''");
    await this.execQuietly(queryMessage(`SELECT set_config('search_path', '${literal}', false)`));
    this.sessionSearchPath = searchPath;
  }

  private trackListen(connection: Connection, message: Uint8Array): void {
    const sql = sqlText(message);
    if (sql === undefined || !/listen/i.test(sql)) return;
    const { listen, unlisten } = listenStatements(sql);
    listen.forEach((channel) => connection.channels.add(channel));
    for (const channel of unlisten) {
      if (channel === '*') connection.channels.clear();
      else connection.channels.delete(channel);
      this.relistenPending = true; // the UNLISTEN also unsubscribed every other connection
    }
  }

  /** Re-LISTEN the channels other connections still want, once the session is idle again. */
  private async relisten(): Promise<void> {
    this.relistenPending = false;
    const channels = new Set([...this.connections.values()].flatMap((c) => [...c.channels]));
    for (const channel of channels) {
      await this.execQuietly(queryMessage(`LISTEN "${channel.replace(/"/g, '""')}"`));
    }
  }

  private deliver(notifications: Notification[]): void {
    for (const { channel, message } of notifications) {
      for (const connection of this.connections.values()) {
        if (connection.channels.has(channel)) connection.onData(message);
      }
    }
  }

  private async execQuietly(message: Uint8Array): Promise<void> {
    await this.db.runExclusive(() =>
      this.db.execProtocolRawStream(message, { onRawData: () => undefined }),
    );
  }
}
