import { io, Socket } from 'socket.io-client';
import type {
  AckData,
  DriverClientEvents,
  DriverServerEvents,
  RiderClientEvents,
  RiderServerEvents,
} from '@app/contracts';

/** Sockets typed by the API's contract both ways: a drift on either side stops compiling. */
export type DriverClient = Socket<DriverServerEvents, DriverClientEvents>;
export type RiderClient = Socket<RiderServerEvents, RiderClientEvents>;
import type { HttpErrorBody } from '@app/contracts';

/** The server cannot be reached at all (refused, reset, timed out). */
export class Unreachable extends Error {}

/** The server answered with an error status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(`${status} ${code}: ${message}`);
  }
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  timeoutMs?: number;
}

/** One JSON call; network failures become Unreachable, error statuses HttpError. */
export async function call<T>(
  baseUrl: string,
  method: 'GET' | 'POST',
  path: string,
  options: CallOptions = {},
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
    });
  } catch (error) {
    throw new Unreachable(`${method} ${path}: ${(error as Error).message}`);
  }
  const text = await response.text();
  const parsed: unknown = text ? safeJson(text) : undefined;
  if (!response.ok) {
    const body = (parsed ?? {}) as Partial<HttpErrorBody>;
    const retryAfter = Number(response.headers.get('retry-after'));
    throw new HttpError(
      response.status,
      String(body.error ?? response.statusText),
      String(body.message ?? text.slice(0, 200)),
      Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
    );
  }
  return parsed as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Waits (bounded) until GET /health/ready answers 200. */
export async function waitReady(baseUrl: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (let attempt = 0; attempt < 1_000 && Date.now() < deadline; attempt += 1) {
    try {
      await call(baseUrl, 'GET', '/health/ready', { timeoutMs: 5_000 });
      return;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Unreachable(
    `${baseUrl}/health/ready did not answer 200 within ${timeoutMs} ms: ${last}`,
  );
}

/**
 * Sign-up and login are rate limited per IP. On 429 every worker pauses until the window
 * reopens (Retry-After, else 10 s), with one message per pause; a bounded number of retries.
 */
export class RateLimitGate {
  private pausedUntil = 0;

  constructor(private readonly log: (line: string) => void) {}

  async run<T>(what: string, attempt: () => Promise<T>, maxAttempts = 30): Promise<T> {
    for (let i = 1; ; i += 1) {
      const wait = this.pausedUntil - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      try {
        return await attempt();
      } catch (error) {
        if (!(error instanceof HttpError) || error.status !== 429 || i >= maxAttempts) throw error;
        const seconds = Math.min(65, error.retryAfterSeconds ?? 10);
        if (this.pausedUntil <= Date.now()) {
          this.log(
            `  ! ${what}: the server answered 429 RATE_LIMITED (AUTH_RATE_LIMIT per IP); ` +
              `waiting ${seconds} s and retrying. Start the server with AUTH_RATE_LIMIT=100000 ` +
              `for simulations.`,
          );
        }
        this.pausedUntil = Math.max(this.pausedUntil, Date.now() + seconds * 1_000);
      }
    }
  }
}

/** Runs `task` over `items` with at most `concurrency` at once; results keep their order. */
export async function runPool<I, R>(
  items: readonly I[],
  concurrency: number,
  task: (item: I, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await task(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

/** Connects to a namespace; rejects with the connect_error message (e.g. `unauthorized`). */
export function connect(
  baseUrl: string,
  namespace: '/driver',
  token: string,
): Promise<DriverClient>;
export function connect(baseUrl: string, namespace: '/rider', token: string): Promise<RiderClient>;
export function connect(baseUrl: string, namespace: string, token: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = io(`${baseUrl}${namespace}`, {
      auth: { token },
      transports: ['websocket'],
      forceNew: true,
      reconnectionAttempts: 5,
      reconnectionDelay: 500,
      timeout: 10_000,
    });
    const timer = setTimeout(() => fail(new Error('connect timeout')), 15_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      socket.close();
      reject(error);
    };
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('connect_error', fail);
      resolve(socket);
    });
    socket.once('connect_error', fail);
  });
}

/**
 * Keeps a bot connected to one of `urls` (several api processes of one city): it starts on
 * `urls[first % n]`, and when that process is gone (socket.io's reconnection, with backoff,
 * gives up) it moves to the next one. `bind` runs for every new socket, so the bot registers
 * its handlers again; the server sends the open trip and offer on connect.
 */
export async function connectFailover<S extends DriverClient | RiderClient>(
  urls: readonly string[],
  first: number,
  namespace: '/driver' | '/rider',
  token: string,
  bind: (socket: S, failover: boolean) => void,
): Promise<void> {
  let at = first;
  let failover = false;
  const open = async (): Promise<void> => {
    for (let attempt = 0; attempt < urls.length * 3; attempt += 1) {
      const url = urls[at % urls.length];
      try {
        const socket = (await connect(url, namespace as '/driver', token)) as unknown as S;
        bind(socket, failover);
        socket.io.once('reconnect_failed', () => {
          at += 1;
          failover = true;
          void open().catch(() => undefined);
        });
        return;
      } catch {
        at += 1;
        await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 250 * 2 ** attempt)));
      }
    }
    throw new Error(`no server of ${urls.join(', ')} accepted the ${namespace} socket`);
  };
  await open();
}

/** A socket ack as the simulator sees it: the API's, or a local ACK_TIMEOUT / DISCONNECTED. */
export type SimAck<T extends object = object> =
  ({ ok: true } & T) | { ok: false; error: { code: string; message: string } };

export type PayloadOf<F> = F extends (payload: infer P, ...rest: never[]) => void ? P : never;
type Emitted<Events, E extends keyof Events> = Promise<SimAck<AckData<Events[E]> & object>>;

/** Emits a client event of the socket's contract and resolves with its typed ack. */
export function emitAck<E extends keyof DriverClientEvents>(
  socket: DriverClient,
  event: E,
  payload: PayloadOf<DriverClientEvents[E]>,
  timeoutMs?: number,
): Emitted<DriverClientEvents, E>;
export function emitAck<E extends keyof RiderClientEvents>(
  socket: RiderClient,
  event: E,
  payload: PayloadOf<RiderClientEvents[E]>,
  timeoutMs?: number,
): Emitted<RiderClientEvents, E>;
export async function emitAck(
  socket: DriverClient | RiderClient,
  event: string,
  payload: unknown,
  timeoutMs = 10_000,
): Promise<SimAck> {
  if (!socket.connected) {
    return {
      ok: false,
      error: { code: 'DISCONNECTED', message: `${event}: socket not connected` },
    };
  }
  try {
    const untyped = socket as unknown as Socket;
    return (await untyped.timeout(timeoutMs).emitWithAck(event, payload)) as SimAck;
  } catch {
    return {
      ok: false,
      error: { code: 'ACK_TIMEOUT', message: `${event}: no ack in ${timeoutMs} ms` },
    };
  }
}
