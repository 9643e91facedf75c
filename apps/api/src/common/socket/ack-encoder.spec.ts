import { Encoder, Packet, PacketType } from 'socket.io-parser';
import { AckCachingEncoder } from './ack-encoder';

const OK = Object.freeze({ ok: true });
const REFUSED = Object.freeze({
  ok: false,
  error: Object.freeze({ code: 'RATE_LIMITED', message: 'more than 5 pings per second' }),
});

describe('AckCachingEncoder', () => {
  const ours = new AckCachingEncoder();
  const socketIo = new Encoder();
  const ack = (data: unknown[], nsp = '/driver', id = 42): Packet => ({
    type: PacketType.ACK,
    nsp,
    id,
    data,
  });

  it.each([
    ['a shared ok ack', ack([OK])],
    ['a frozen refusal with a frozen error', ack([REFUSED])],
    ['the root namespace', ack([OK], '/')],
    ['id 0', ack([OK], '/driver', 0)],
  ])('writes what socket.io writes: %s', (_, packet) => {
    const expected = socketIo.encode(packet);
    expect(ours.encode(packet)).toEqual(expected);
    // The second time comes from the cache, and is still the same text.
    expect(ours.encode(packet)).toEqual(expected);
  });

  it('never caches an answer that can still change', () => {
    const shallow = Object.freeze({ ok: false, error: { code: 'X', message: 'before' } });
    expect(ours.encode(ack([shallow]))).toEqual(socketIo.encode(ack([shallow])));
    shallow.error.message = 'after';
    expect(ours.encode(ack([shallow]))).toEqual([`3/driver,42${JSON.stringify([shallow])}`]);

    const mutable: { ok: boolean; n?: number } = { ok: true };
    expect(ours.encode(ack([mutable]))).toEqual(socketIo.encode(ack([mutable])));
    mutable.n = 1;
    expect(ours.encode(ack([mutable]))).toEqual(['3/driver,42[{"ok":true,"n":1}]']);
  });

  it('leaves events, binary acks and acks of several arguments to socket.io', () => {
    const event: Packet = { type: PacketType.EVENT, nsp: '/driver', data: ['trip:offer', OK] };
    expect(ours.encode(event)).toEqual(socketIo.encode(event));
    const binary = ack([{ blob: Buffer.from([1, 2, 3]) }]);
    expect(ours.encode(binary)).toEqual(socketIo.encode(binary));
    const two = ack([OK, OK]);
    expect(ours.encode(two)).toEqual(socketIo.encode(two));
  });
});
