import request from 'supertest';
import { Socket } from 'socket.io-client';
import {
  connectSocket,
  TestSocket,
  emitAck,
  nextEvent,
  north,
  signUpDriver,
  signUpRider,
  SignedUp,
} from './clients';

export interface TripBody {
  id: string;
  status: string;
  driverId?: string;
  pickupCode?: string;
  fare?: { amount: number; currency: string };
  distanceMeters?: number;
  cancelReason?: string;
}
export interface OfferBody {
  tripId: string;
  expiresAt: string;
  pickupEtaSeconds: number;
}
export type AckBody<T = object> = { ok: boolean; error?: { code: string; message: string } } & T;

export interface OnlineDriver extends SignedUp {
  socket: Socket;
  at: { lat: number; lng: number };
}
export interface ConnectedRider extends SignedUp {
  socket: Socket;
}

/** Test people on one server: drivers online at a point, riders with a socket. */
export class World {
  readonly sockets: Socket[] = [];

  constructor(readonly url: string) {}

  async driverAt(
    at: { lat: number; lng: number },
    cabType: 'ECONOMY' | 'XL' | 'PREMIUM' = 'ECONOMY',
  ): Promise<OnlineDriver> {
    const driver = await signUpDriver(this.url, cabType);
    const socket = await this.connect('/driver', driver.token);
    await emitAck(socket, 'driver:status', { status: 'AVAILABLE' });
    // Stamped 29 s ago (the oldest accepted), so a test can move the car soon after.
    const ack = await emitAck<AckBody>(socket, 'driver:location', {
      ...at,
      ts: Date.now() - 29_000,
    });
    if (!ack.ok) throw new Error(`ping refused: ${JSON.stringify(ack)}`);
    return { ...driver, socket, at };
  }

  async rider(): Promise<ConnectedRider> {
    const rider = await signUpRider(this.url);
    return { ...rider, socket: await this.connect('/rider', rider.token) };
  }

  async connect(namespace: string, token: string): Promise<Socket> {
    const socket = await connectSocket(this.url, namespace, token);
    this.sockets.push(socket);
    return socket;
  }

  async requestTrip(
    rider: SignedUp,
    pickup: { lat: number; lng: number },
    extra: { cabType?: string; key?: string } = {},
  ): Promise<TripBody> {
    const req = request(this.url)
      .post('/trips')
      .set('Authorization', `Bearer ${rider.token}`)
      .send({
        pickup,
        dropoff: north(pickup, 3_000),
        cabType: extra.cabType ?? 'ECONOMY',
        paymentMethod: 'CARD',
      });
    if (extra.key) req.set('Idempotency-Key', extra.key);
    const res = await req;
    if (res.status !== 201)
      throw new Error(`request failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.trip as TripBody;
  }

  offerFor(driver: OnlineDriver, tripId: string, timeoutMs = 8_000): Promise<OfferBody> {
    return nextEvent<OfferBody>(driver.socket, 'trip:offer', (o) => o.tripId === tripId, timeoutMs);
  }

  updateOf(socket: Socket, tripId: string, status: string, timeoutMs = 8_000) {
    return nextEvent<{ trip: TripBody }>(
      socket,
      'trip:update',
      (u) => u.trip.id === tripId && u.trip.status === status,
      timeoutMs,
    );
  }

  step<T = { trip: TripBody }>(
    socket: TestSocket,
    event: Parameters<typeof emitAck>[1],
    payload: object,
  ) {
    return emitAck<AckBody<T>>(socket, event, payload);
  }

  async getTrip(token: string, tripId: string) {
    return request(this.url).get(`/trips/${tripId}`).set('Authorization', `Bearer ${token}`);
  }

  /** Pings like a phone (every second here) until the returned function is called. */
  keepPinging(...drivers: OnlineDriver[]): () => void {
    const timer = setInterval(() => {
      for (const d of drivers)
        // A ping in flight when the test closes its sockets is rejected: that is not a failure.
        emitAck(d.socket, 'driver:location', { ...d.at, ts: Date.now() }).catch(() => undefined);
    }, 1_000);
    return () => clearInterval(timer);
  }

  close(): void {
    this.sockets.splice(0).forEach((s) => s.close());
  }
}
