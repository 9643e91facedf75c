import { Decoder, Encoder, Packet, PacketType } from 'socket.io-parser';

/**
 * The wire text of each deeply frozen answer, made once (null: not deeply frozen, never cached).
 * The hot path answers with shared frozen acks (`{ ok: true }` for an accepted ping, one object
 * per refusal), so their JSON never changes.
 */
const frozenJson = new WeakMap<object, string | null>();

/**
 * socket.io's encoder with one shortcut: an ack whose only argument is a deeply frozen object is
 * written from its cached JSON, not run through `hasBinary` and `JSON.stringify` again for every
 * ping (about 0.9 us of a saturated server's ~31 us per ping). The text is the one socket.io's
 * own encoder writes, so clients see no difference; every other packet goes through it as before.
 */
export class AckCachingEncoder extends Encoder {
  override encode(packet: Packet): ReturnType<Encoder['encode']> {
    if (packet.type === PacketType.ACK && packet.id !== undefined) {
      const json = cachedJson(packet.data);
      if (json !== null) {
        const nsp = packet.nsp && packet.nsp !== '/' ? `${packet.nsp},` : '';
        return [`${PacketType.ACK}${nsp}${packet.id}${json}`];
      }
    }
    return super.encode(packet);
  }
}

/** The `parser` option of the socket.io server: our encoder, socket.io's decoder. */
export const ackCachingParser = { Encoder: AckCachingEncoder, Decoder };

function cachedJson(data: unknown): string | null {
  if (!Array.isArray(data) || data.length !== 1) return null;
  const answer: unknown = data[0];
  if (typeof answer !== 'object' || answer === null || !Object.isFrozen(answer)) return null;
  let json = frozenJson.get(answer);
  if (json === undefined) {
    json = deeplyFrozen(answer) ? JSON.stringify([answer]) : null;
    frozenJson.set(answer, json);
  }
  return json;
}

function deeplyFrozen(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  if (!Object.isFrozen(value)) return false;
  return Object.values(value).every(deeplyFrozen);
}
