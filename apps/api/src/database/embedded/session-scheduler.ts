import type { PGlite } from '@electric-sql/pglite';
import {
  BackendFilter,
  firstValue,
  IDLE,
  isExtendedMessage,
  isStartupMessage,
  listenStatements,
  Notification,
  QUERY,
  queryMessage,
  sqlText,
  startupSearchPath,
  SYNC,
  SYNC_MESSAGE,
  TERMINATE,
} from './wire-protocol';

type OnData = (data: Uint8Array) => void;

/** What the scheduler knows of one client connection (a pglite-socket handler). */
interface Connection {
  onData: OnData;
  searchPath: string;
  channels: Set<string>;
  /** A Parse, Bind, ... ran and its Sync has not: the turn lasts at least until the Sync. */
  inBatch: boolean;
  /** Its SQL named search_path this turn: read the setting back when the turn ends. */
  namedSearchPath: boolean;
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
 * 'I' (idle) to a Sync or a Query: a whole batch, or a whole BEGIN..COMMIT/ROLLBACK, runs with no
 * other connection's message in between (PGlite's early ReadyForQuery after an error inside a
 * batch ends nothing: see BackendFilter), nor between pipelined batches it has already sent.
 * Whenever a connection takes the session from another, its own `search_path` (from its startup
 * options, or its own SET) is put back; PGlite has one session and ignores startup options. It
 * also routes NOTIFY to the connections that LISTENed (the session would hand it to the notifier).
 */
export class SessionScheduler {
  private readonly queue: Pending[] = [];
  private readonly connections = new Map<number, Connection>();
  /** The connection whose turn it is: only its messages run. */
  private owner: number | null = null;
  /** The connection whose settings are in force in the session (null: nobody's, for sure). */
  private settingsOf: number | null = null;
  private relistenPending = false;
  private running = false;
  private drained: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: PGlite,
    private readonly defaultSearchPath: string,
  ) {}

  enqueue(handlerId: number, message: Uint8Array, onData: OnData): Promise<number> {
    return new Promise((resolve, reject) => {
      this.queue.push({ handlerId, message, onData, resolve, reject });
      this.pump();
    });
  }

  /** Called by PGLiteSocketHandler.detach: what it sent and is not yet running goes unanswered. */
  clearQueueForHandler(handlerId: number): void {
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const pending = this.queue[i];
      if (pending.handlerId === handlerId && pending.message !== null) {
        this.queue.splice(i, 1);
        pending.reject(new Error('Handler disconnected'));
      }
    }
  }

  /**
   * Called by PGLiteSocketHandler.detach, after clearQueueForHandler. Queued: a message of that
   * connection still running is answered first, and if it owns the session nothing else runs
   * before its leftovers are undone (see forget).
   */
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
        if (this.owner === null && next.message !== null) await this.keepPipelined(next.handlerId);
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

  /**
   * A turn just ended while others wait. PGLiteSocketHandler hands over one message at a time, the
   * next one once the previous is answered: let it queue what it has already received (a
   * pipelined query), and if it did, the turn goes on, as a server would read its socket on.
   */
  private async keepPipelined(handlerId: number): Promise<void> {
    if (!this.queue.some((p) => p.handlerId !== handlerId)) return; // nobody to keep out
    await new Promise((done) => setImmediate(done));
    if (this.owner === null && this.queue.some((p) => p.handlerId === handlerId && p.message)) {
      this.owner = handlerId;
    }
  }

  private async run({ handlerId, message, onData }: Pending): Promise<number> {
    if (message === null) {
      await this.forget(handlerId);
      return 0;
    }
    // PGlite ignores Terminate; running nothing (not even a search_path) for it is the same.
    if (message[0] === TERMINATE) return 0;
    const connection = this.connection(handlerId, onData);
    if (isStartupMessage(message)) {
      connection.searchPath = startupSearchPath(message) ?? this.defaultSearchPath;
    } else if (this.settingsOf !== handlerId) {
      await this.takeOver(handlerId, connection);
    }
    this.trackSql(connection, message);
    const extended = isExtendedMessage(message);
    if (extended) connection.inBatch = true;
    else if (message[0] === SYNC || message[0] === QUERY) connection.inBatch = false;

    const filter = new BackendFilter(extended);
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
    // The turn ends only at ReadyForQuery 'I' outside a batch; in a transaction, mid-batch (no
    // ReadyForQuery yet), or copying in, it goes on.
    const idle = filter.readyStatus === IDLE && !connection.inBatch;
    this.owner = idle ? null : handlerId;
    this.deliver(filter.notifications);
    if (idle) await this.endTurn(connection);
    return bytes;
  }

  private connection(handlerId: number, onData: OnData): Connection {
    let connection = this.connections.get(handlerId);
    if (!connection) {
      const searchPath = this.defaultSearchPath;
      connection = {
        onData,
        searchPath,
        channels: new Set(),
        inBatch: false,
        namedSearchPath: false,
      };
      this.connections.set(handlerId, connection);
    }
    connection.onData = onData;
    return connection;
  }

  /**
   * The connection takes the session from another (the session is idle, outside any batch): put
   * its search_path back. As a simple Query this also drops the unnamed statement the previous
   * turn left, so the new turn starts as fresh as on a connection of its own.
   */
  private async takeOver(handlerId: number, connection: Connection): Promise<void> {
    const literal = connection.searchPath.replace(/'/g, "''");
    await this.exec(queryMessage(`SELECT set_config('search_path', '${literal}', false)`));
    this.settingsOf = handlerId;
  }

  private async endTurn(connection: Connection): Promise<void> {
    if (connection.namedSearchPath) {
      // It may have SET its own search_path: keep that for its next turns, as its session would.
      connection.namedSearchPath = false;
      const reply = await this.exec(queryMessage("SELECT current_setting('search_path')"));
      connection.searchPath = firstValue(reply) ?? connection.searchPath;
    }
    if (this.relistenPending) await this.relisten();
  }

  /**
   * A client gone (Terminate, then its socket closed) while it owns the session: mid-transaction,
   * mid-batch, or both. Undo what it left, as a server would, before anyone else's turn. Nothing
   * is sent for a connection that does not own the session: it left nothing open.
   */
  private async forget(handlerId: number): Promise<void> {
    this.connections.delete(handlerId);
    if (this.owner !== handlerId) return;
    // ROLLBACK ends a transaction block, or the implicit transaction of a batch left without its
    // Sync (which would commit it). After an error in a batch the session skips everything until
    // a Sync, ROLLBACK included: the Sync ends that, and a transaction still open (ReadyForQuery
    // 'E') gets its ROLLBACK then.
    await this.exec(queryMessage('ROLLBACK'));
    if (readyStatus(await this.exec(SYNC_MESSAGE)) !== IDLE) {
      await this.exec(queryMessage('ROLLBACK'));
    }
    this.owner = null;
    this.settingsOf = null;
    if (this.relistenPending) await this.relisten();
  }

  private trackSql(connection: Connection, message: Uint8Array): void {
    const sql = sqlText(message);
    if (sql === undefined) return;
    if (/search_path/i.test(sql)) connection.namedSearchPath = true;
    if (!/listen/i.test(sql)) return;
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
      await this.exec(queryMessage(`LISTEN "${channel.replace(/"/g, '""')}"`));
    }
  }

  private deliver(notifications: Notification[]): void {
    for (const { channel, message } of notifications) {
      for (const connection of this.connections.values()) {
        if (connection.channels.has(channel)) connection.onData(message);
      }
    }
  }

  /** Runs a message of the scheduler's own; its reply goes to no client. */
  private async exec(message: Uint8Array): Promise<Buffer> {
    const chunks: Buffer[] = [];
    await this.db.runExclusive(() =>
      this.db.execProtocolRawStream(message, {
        onRawData: (chunk) => chunks.push(Buffer.from(chunk)),
      }),
    );
    return Buffer.concat(chunks);
  }
}

/** The status of the ReadyForQuery that ends `reply` (6 bytes: 'Z', length 5, status). */
function readyStatus(reply: Buffer): number | undefined {
  return reply.length >= 6 && reply[reply.length - 6] === 0x5a
    ? reply[reply.length - 1]
    : undefined;
}
