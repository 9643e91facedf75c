/**
 * The few PostgreSQL wire-protocol details the embedded session scheduler needs: which frontend
 * message is which, the SQL text and startup options a client sends, and a streaming filter over
 * the backend's replies that notes ReadyForQuery and lifts NotificationResponse messages out.
 * https://www.postgresql.org/docs/current/protocol-message-formats.html
 */

const READY_FOR_QUERY = 0x5a; // 'Z'
const NOTIFICATION = 0x41; // 'A'
export const TERMINATE = 0x58; // 'X'
export const SYNC = 0x53; // 'S'
export const QUERY = 0x51; // 'Q'
const DATA_ROW = 0x44; // 'D' (backend)

/**
 * Extended-protocol frontend messages other than Sync: Parse, Bind, Describe, Execute, Close,
 * Flush. A batch of them lasts until its Sync; a real server answers ReadyForQuery only then.
 */
const EXTENDED = new Set([0x50, 0x42, 0x44, 0x45, 0x43, 0x48]);

export function isExtendedMessage(message: Uint8Array): boolean {
  return EXTENDED.has(message[0]);
}

/** Status byte of ReadyForQuery: idle, in a transaction block, or in a failed one. */
export const IDLE = 0x49; // 'I'

/** A simple-protocol Query message. */
export function queryMessage(sql: string): Uint8Array {
  const text = Buffer.from(`${sql}\0`, 'utf8');
  const message = Buffer.alloc(5 + text.length);
  message.write('Q', 0, 'latin1');
  message.writeInt32BE(4 + text.length, 1);
  text.copy(message, 5);
  return message;
}

/** A Sync message: ends an extended-protocol batch (and clears its error state). */
export const SYNC_MESSAGE = Uint8Array.from([0x53, 0, 0, 0, 4]);

/** The startup message has no type byte; it starts with its length, whose first byte is 0. */
export function isStartupMessage(message: Uint8Array): boolean {
  return message.length >= 8 && message[0] === 0;
}

/** NUL-terminated strings of a message body starting at `offset`. */
function cStrings(message: Uint8Array, offset: number): string[] {
  return Buffer.from(message.buffer, message.byteOffset + offset, message.length - offset)
    .toString('utf8')
    .split('\0');
}

/**
 * The `search_path` a client asked for in its startup options (`-c search_path=...`, as BullMQ's
 * PostgreSQL backend does). A real server applies it to the client's own session; PGlite has one
 * session and ignores it, so the scheduler re-applies it whenever that client gets the session.
 */
export function startupSearchPath(message: Uint8Array): string | undefined {
  const pairs = cStrings(message, 8);
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    if (pairs[i] === 'options')
      return /(?:^|\s)(?:-c\s*|--)search_path=(\S+)/.exec(pairs[i + 1])?.[1];
  }
  return undefined;
}

/** The SQL text of a Query ('Q') or Parse ('P') message, else undefined. */
export function sqlText(message: Uint8Array): string | undefined {
  if (message[0] === QUERY) return cStrings(message, 5)[0];
  if (message[0] === 0x50) return cStrings(message, 5)[1];
  return undefined;
}

/** Channels named by LISTEN / UNLISTEN statements in `sql` ('*' = UNLISTEN *). */
export function listenStatements(sql: string): { listen: string[]; unlisten: string[] } {
  const found = { listen: [] as string[], unlisten: [] as string[] };
  const code = sql.replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, ' ');
  for (const statement of code.split(';')) {
    const match = /^\s*(UN)?LISTEN\s+("(?:[^"]|"")+"|[^\s;]+)/i.exec(statement);
    if (!match) continue;
    const raw = match[2];
    const channel = raw.startsWith('"') ? raw.slice(1, -1).replace(/""/g, '"') : raw.toLowerCase();
    (match[1] ? found.unlisten : found.listen).push(channel);
  }
  return found;
}

/** A NotificationResponse, kept whole so it can be forwarded to the connections that listen. */
export interface Notification {
  channel: string;
  message: Buffer;
}

/** The text of the first column of the first DataRow in `reply`, if any (NULL: undefined). */
export function firstValue(reply: Buffer): string | undefined {
  for (let offset = 0; offset + 5 <= reply.length; offset += 1 + reply.readInt32BE(offset + 1)) {
    if (reply[offset] !== DATA_ROW) continue;
    const length = reply.readInt32BE(offset + 7); // after the type, the length, the column count
    return length < 0 ? undefined : reply.toString('utf8', offset + 11, offset + 11 + length);
  }
  return undefined;
}

/**
 * Filters one execution's reply stream (which may arrive in arbitrary chunks): every message passes
 * through except NotificationResponse, which is collected, and the last ReadyForQuery status is
 * remembered. Only those two message kinds are buffered whole; large rows stream straight through.
 *
 * `spuriousReady`: the reply is to an extended-protocol message (not Sync), so a ReadyForQuery in
 * it is dropped, not passed on nor remembered. PGlite 0.5.8 sends one right after an error in such
 * a message (its execProtocolRaw ends every call with PostgresSendReadyForQueryIfNecessary), where
 * a server stays silent until Sync: the client would take it for the end of its query, start the
 * next one, and take the Sync's ReadyForQuery for the end of that one (replies off by one).
 */
export class BackendFilter {
  /** The status byte of the last ReadyForQuery seen, or undefined if none came. */
  readyStatus: number | undefined;
  readonly notifications: Notification[] = [];
  private carry = Buffer.alloc(0);
  private passThrough = 0;

  constructor(private readonly spuriousReady = false) {}

  push(chunk: Uint8Array): Buffer {
    const data = Buffer.concat([this.carry, chunk]);
    this.carry = Buffer.alloc(0);
    const out: Buffer[] = [];
    let offset = Math.min(this.passThrough, data.length);
    out.push(data.subarray(0, offset));
    this.passThrough -= offset;
    while (offset < data.length) {
      if (data.length - offset < 5) {
        this.carry = data.subarray(offset);
        break;
      }
      const type = data[offset];
      const size = 1 + data.readInt32BE(offset + 1);
      if (type === NOTIFICATION || type === READY_FOR_QUERY) {
        if (data.length - offset < size) {
          this.carry = data.subarray(offset);
          break;
        }
        const message = data.subarray(offset, offset + size);
        if (type === NOTIFICATION) {
          this.notifications.push({ channel: cStrings(message, 9)[0], message });
        } else if (!this.spuriousReady) {
          this.readyStatus = message[5];
          out.push(message);
        }
        offset += size;
      } else {
        const available = Math.min(size, data.length - offset);
        out.push(data.subarray(offset, offset + available));
        this.passThrough = size - available;
        offset += available;
      }
    }
    return Buffer.concat(out);
  }
}
