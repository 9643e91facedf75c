import request from 'supertest';
import { io, Socket } from 'socket.io-client';
import { unique } from './test-server';

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
