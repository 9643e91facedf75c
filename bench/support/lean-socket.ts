/**
 * A load generator's socket.io client: one namespace over the websocket transport, speaking
 * the Engine.IO 4 / Socket.IO 5 wire format directly (`ws`), with acks and nothing else (no
 * reconnection, no buffering, no event handlers). The phones it stands for run socket.io-client,
 * one each; a bench process plays thousands of them, and socket.io-client's per-emit timer,
 * packet encoder and event machinery cost the generator about as much CPU as the server spends
 * on the same ping. On two cores that CPU comes out of the server being measured. The server
 * cannot tell the difference: the frames are the ones socket.io-client sends.
 *
 *   connect  `ws://host/socket.io/?EIO=4&transport=websocket`; the server's OPEN (`0{...}`),
 *            then our CONNECT `40/driver,{"token":...}`, answered `40/driver,{"sid":...}` or
 *            CONNECT_ERROR `44/driver,{"message":...}`;
 *   emit     `42/driver,<id>["event",payload]`, answered by ACK `43/driver,<id>[answer]`;
 *   ping     the server's `2` is answered `3` (Engine.IO heartbeat).
 */
import WebSocket from 'ws';

export interface AckAnswer {
  ok?: boolean;
  error?: { code?: string };
}

export type AckCallback = (err: Error | null, answer?: AckAnswer) => void;

const OK_ACK_TAIL = '[{"ok":true}]';
const TIMEOUT = new Error('operation has timed out');
const DISCONNECTED = new Error('socket has been disconnected');

/** Sockets with acks in flight: one timer per process sweeps their deadlines. */
const open = new Set<LeanSocket>();
let sweeper: NodeJS.Timeout | undefined;

function sweepAll(): void {
  const now = Date.now();
  for (const socket of open) socket.expire(now);
}

export class LeanSocket {
  connected = false;
  private nextId = 0;
  /** In send order, so a sweep stops at the first ack not yet due. */
  private readonly pending = new Map<number, { deadline: number; callback: AckCallback }>();
  private readonly prefix: string;
  private onDisconnect?: (reason: string) => void;

  private constructor(
    private readonly ws: WebSocket,
    private readonly namespace: string,
  ) {
    this.prefix = `43${namespace},`;
  }

  /** Connects to `namespace` with `auth`; rejects with the server's reason when refused. */
  static connect(
    baseUrl: string,
    namespace: string,
    auth: Record<string, string>,
    timeoutMs: number,
    localAddress?: string,
  ): Promise<LeanSocket> {
    const wsUrl = `${baseUrl.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`;
    const ws = new WebSocket(wsUrl, { perMessageDeflate: false, localAddress });
    const socket = new LeanSocket(ws, namespace);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => fail('timeout'), timeoutMs);
      const fail = (reason: string) => {
        clearTimeout(timer);
        ws.terminate();
        reject(new Error(reason));
      };
      ws.on('error', (error) => fail(error.message));
      ws.on('close', () => {
        if (!socket.connected) return fail('closed before connect');
        socket.closed('transport close');
      });
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        if (isBinary) return;
        const text = data.toString();
        if (socket.connected) return socket.receive(text);
        if (text.startsWith('0')) {
          ws.send(`40${namespace},${JSON.stringify(auth)}`);
        } else if (text.startsWith(`40${namespace},`)) {
          clearTimeout(timer);
          ws.removeAllListeners('error');
          ws.on('error', () => socket.closed('transport error'));
          socket.connected = true;
          resolve(socket);
        } else if (text.startsWith(`44${namespace},`)) {
          const body = JSON.parse(text.slice(namespace.length + 3)) as { message?: string };
          fail(body.message ?? 'connect error');
        } else if (text === '2') {
          ws.send('3');
        }
      });
    });
  }

  on(event: 'disconnect', handler: (reason: string) => void): void {
    if (event === 'disconnect') this.onDisconnect = handler;
  }

  /** Emits with an ack; the callback gets a timeout error after `timeoutMs`. */
  emit(event: string, payload: unknown, timeoutMs: number, callback: AckCallback): void {
    if (!this.connected) {
      callback(DISCONNECTED);
      return;
    }
    const id = this.nextId++;
    this.pending.set(id, { deadline: Date.now() + timeoutMs, callback });
    if (this.pending.size === 1) open.add(this);
    if (!sweeper) {
      sweeper = setInterval(sweepAll, 100);
      sweeper.unref();
    }
    this.ws.send(`42${this.namespace},${id}${JSON.stringify([event, payload])}`);
  }

  close(): void {
    if (this.connected) this.ws.send(`41${this.namespace},`);
    this.ws.terminate();
    this.closed('io client disconnect');
  }

  /** Answers the acks past their deadline with a timeout (called by the process's sweep). */
  expire(now: number): void {
    for (const [id, entry] of this.pending) {
      if (entry.deadline > now) break;
      this.pending.delete(id);
      entry.callback(TIMEOUT);
    }
    if (this.pending.size === 0) open.delete(this);
  }

  private receive(text: string): void {
    if (text.startsWith(this.prefix)) {
      const bracket = text.indexOf('[', this.prefix.length);
      const id = Number(text.slice(this.prefix.length, bracket));
      const entry = this.pending.get(id);
      if (!entry) return;
      this.pending.delete(id);
      if (this.pending.size === 0) open.delete(this);
      if (text.endsWith(OK_ACK_TAIL) && text.length === bracket + OK_ACK_TAIL.length) {
        entry.callback(null, { ok: true });
      } else {
        entry.callback(null, (JSON.parse(text.slice(bracket)) as AckAnswer[])[0]);
      }
    } else if (text === '2') {
      this.ws.send('3');
    } else if (text.startsWith(`41${this.namespace}`)) {
      this.ws.terminate();
      this.closed('io server disconnect');
    }
    // Events the server pushes (offers, trip updates) are not a load generator's business.
  }

  private closed(reason: string): void {
    if (!this.connected) return;
    this.connected = false;
    for (const entry of this.pending.values()) entry.callback(DISCONNECTED);
    this.pending.clear();
    open.delete(this);
    this.onDisconnect?.(reason);
  }
}
