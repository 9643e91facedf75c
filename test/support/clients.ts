import request from 'supertest';
import { io, Socket } from 'socket.io-client';
import type {
  DriverClientEvents,
  DriverServerEvents,
  RiderClientEvents,
  RiderServerEvents,
} from '@app/contracts';
import { unique } from './test-server';

/**
 * Test sockets typed by the API's contract: event names must exist on their side of it. Payloads
 * stay open (`unknown`), because tests send malformed ones on purpose.
 */
export type DriverTestSocket = Socket<DriverServerEvents, DriverClientEvents>;
export type RiderTestSocket = Socket<RiderServerEvents, RiderClientEvents>;
export type TestSocket = DriverTestSocket | RiderTestSocket | Socket;
type ClientEventName = keyof DriverClientEvents | keyof RiderClientEvents;
type ServerEventName = keyof DriverServerEvents | keyof RiderServerEvents | 'disconnect';

export interface SignedUp {
  id: string;
  token: string;
  email: string;
  password: string;
}

export async function signUpRider(baseUrl: string): Promise<SignedUp> {
  const email = `${unique('rider')}@example.com`;
  const password = 'rider-password';
  const res = await request(baseUrl)
    .post('/auth/riders')
    .send({ name: 'Test Rider', email, password })
    .expect(201);
  return { id: res.body.rider.id, token: res.body.accessToken, email, password };
}

export async function signUpDriver(
  baseUrl: string,
  cabType: 'ECONOMY' | 'XL' | 'PREMIUM' = 'ECONOMY',
): Promise<SignedUp> {
  const email = `${unique('driver')}@example.com`;
  const password = 'driver-password';
  const plate = unique('P').slice(-10).toUpperCase();
  const res = await request(baseUrl)
    .post('/auth/drivers')
    .send({ name: 'Test Driver', email, password, vehicle: { plate, model: 'Prius', cabType } })
    .expect(201);
  return { id: res.body.driver.id, token: res.body.accessToken, email, password };
}

/** Connects to a namespace; resolves with the socket, or rejects with the connect_error message. */
export function connectSocket(
  baseUrl: string,
  namespace: '/driver',
  token?: string,
): Promise<DriverTestSocket>;
export function connectSocket(
  baseUrl: string,
  namespace: '/rider',
  token?: string,
): Promise<RiderTestSocket>;
export function connectSocket(baseUrl: string, namespace: string, token?: string): Promise<Socket>;
export function connectSocket(baseUrl: string, namespace: string, token?: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = io(`${baseUrl}${namespace}`, {
      auth: token === undefined ? {} : { token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}

/** Emits an event and resolves with its ack; rejects if none arrives in time. */
export function emitAck<T = Record<string, unknown>>(
  socket: TestSocket,
  event: ClientEventName,
  payload?: unknown,
  timeoutMs = 5_000,
): Promise<T> {
  return (socket as Socket).timeout(timeoutMs).emitWithAck(event, payload) as Promise<T>;
}

/** Resolves with the next `event` the socket receives whose payload satisfies `match`. */
export function nextEvent<T>(
  socket: TestSocket,
  event: ServerEventName,
  match: (payload: T) => boolean = () => true,
  timeoutMs = 5_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const untyped = socket as Socket;
    const timer = setTimeout(() => {
      untyped.off(event, listener);
      reject(new Error(`no matching ${event} within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (payload: T) => {
      if (!match(payload)) return;
      clearTimeout(timer);
      untyped.off(event, listener);
      resolve(payload);
    };
    untyped.on(event, listener);
  });
}

/** A random point in a 1° box nobody else in this run uses, so suites do not see each other. */
export function randomCity(): { lat: number; lng: number } {
  return { lat: -60 + Math.random() * 120, lng: -170 + Math.random() * 340 };
}

/** `meters` north of a point. */
export function north(point: { lat: number; lng: number }, meters: number) {
  return { lat: point.lat + meters / 111_195, lng: point.lng };
}
