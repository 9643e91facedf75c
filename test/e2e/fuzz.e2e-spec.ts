import { randomUUID } from 'node:crypto';
import { Socket } from 'socket.io-client';
import type { DriverClientEvents, RiderClientEvents } from '@app/contracts';
import { Prng } from '@app/domain';
import { RunningServer } from '../../apps/api/src/server';
import { randomCity, signUpDriver, signUpRider } from '../support/clients';
import { startTestServer, TEST_ADMIN, unique } from '../support/test-server';
import { World } from '../support/world';

/**
 * A seeded fuzz of every REST route (listed from the OpenAPI document) and every client socket
 * event on /driver and /rider, including the reproductions of issue 14. A malformed request must
 * be a 4xx in the error shape, a malformed emit a refusal other than INTERNAL, and an emit with an
 * ack callback must be answered whatever its arguments. FUZZ_SEED replays a run.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 14);
const HTTP_CASES = 3_000;
const SOCKET_CASES = 2_000;
const HTTP_CONCURRENCY = 12;
const SOCKET_CONCURRENCY = 16;
const ACK_TIMEOUT_MS = 5_000;

jest.setTimeout(90_000);

type Json = unknown;
interface Schema {
  $ref?: string;
  type?: string;
  enum?: unknown[];
  example?: unknown;
  minimum?: number;
  minLength?: number;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  allOf?: Schema[];
}
interface Operation {
  method: string;
  path: string;
  query: { name: string; schema: Schema }[];
  body?: Schema;
}
interface OpenApi {
  paths: Record<string, Record<string, { parameters?: ParamSpec[]; requestBody?: BodySpec }>>;
  components: { schemas: Record<string, Schema> };
}
interface ParamSpec {
  name: string;
  in: string;
  schema?: Schema;
}
interface BodySpec {
  content?: Record<string, { schema?: Schema }>;
}

/** Built lazily, from the seeded PRNG: no value is shared between cases, so none is mutated twice. */
function deep(prng: Prng, levels: number): Json {
  let value: Json = 1;
  for (let i = 0; i < levels; i += 1) value = prng.chance(0.5) ? { a: value } : [value];
  return value;
}

/** `{ [key]: value }` as an own property even for `__proto__` (a literal would set the prototype). */
function own(key: string, value: Json): Record<string, Json> {
  const object: Record<string, Json> = {};
  Object.defineProperty(object, key, { value, enumerable: true, writable: true });
  return object;
}

const GARBAGE: ((prng: Prng) => Json)[] = [
  () => null,
  () => true,
  () => 0,
  () => -1,
  () => 1.5,
  () => 1e308,
  () => -1e308,
  () => 2 ** 53 + 1,
  () => '',
  () => ' ',
  () => 'x',
  (p) => 'x'.repeat(p.int(200, 20_000)),
  () => '\u0000',
  () => 'ada\u0000@example.com',
  () => 'Ada\u0000Lovelace',
  () => '\ud800',
  () => '\ud800@example.com',
  () => 'a\udc00b@example.com',
  () => 'é😀',
  () => '%00',
  () => "' OR 1=1 --",
  () => '<script>alert(1)</script>',
  () => 'NaN',
  () => '1e999',
  () => '-0',
  () => '00000000-0000-0000-0000-000000000000',
  () => randomUUID(),
  () => ({}),
  () => [],
  () => [1, 'x', null],
  () => ({ toString: 'x' }),
  () => ({ valueOf: 'x' }),
  () => ({ constructor: 'x' }),
  () => own('__proto__', { polluted: true }),
  () => ({ hasOwnProperty: 1 }),
  () => ({ lat: 'x', lng: {} }),
  (p) => deep(p, 1_500),
  (p) => deep(p, 1_200),
  (p) => deep(p, p.int(2, 100)),
  () => Array.from({ length: 2_000 }, () => 'x'),
];
const RESERVED_KEYS = ['__proto__', 'constructor', 'toString', 'prototype', 'hasOwnProperty'];

function garbage(prng: Prng): Json {
  return GARBAGE[prng.int(0, GARBAGE.length - 1)](prng);
}

/** The named reproductions of issue 14, as (field value) pairs dropped into any string field. */
const REPRODUCTIONS: ((prng: Prng) => Json)[] = [
  (p) => deep(p, 1_500),
  () => 'Ada\u0000Lovelace',
  () => '\ud800',
  () => ({ toString: 'x' }),
  () => ({ constructor: 'x' }),
  () => own('__proto__', 'x'),
];

class Spec {
  constructor(private readonly document: OpenApi) {}

  operations(): Operation[] {
    const ops: Operation[] = [];
    for (const [path, methods] of Object.entries(this.document.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        const query = (op.parameters ?? [])
          .filter((p) => p.in === 'query')
          .map((p) => ({ name: p.name, schema: p.schema ?? {} }));
        const body = op.requestBody?.content?.['application/json']?.schema;
        ops.push({ method: method.toUpperCase(), path, query, body });
      }
    }
    return ops;
  }

  resolve(schema: Schema): Schema {
    if (schema.$ref) return this.resolve(this.document.components.schemas[refName(schema.$ref)]);
    if (schema.allOf?.length === 1) return this.resolve(schema.allOf[0]);
    return schema;
  }

  /** A value the schema accepts, as far as the document says (examples, enums, minimums). */
  sample(schema: Schema, name = ''): Json {
    const s = this.resolve(schema);
    if (s.example !== undefined) return s.example;
    if (s.enum?.length) return s.enum[0];
    if (s.properties) {
      return Object.fromEntries(
        Object.entries(s.properties).map(([key, child]) => [key, this.sample(child, key)]),
      );
    }
    switch (s.type) {
      case 'number':
      case 'integer':
        return s.minimum ?? 1;
      case 'boolean':
        return true;
      case 'array':
        return [this.sample(s.items ?? {})];
      default:
        if (/email/i.test(name)) return `${unique('fuzz')}@example.com`;
        if (/password/i.test(name)) return 'password-1';
        if (/id$/i.test(name)) return randomUUID();
        return 'x'.repeat(Math.max(1, s.minLength ?? 1));
    }
  }
}

function refName(ref: string): string {
  return ref.slice(ref.lastIndexOf('/') + 1);
}

/** Every path to a leaf of a JSON value, e.g. ['vehicle', 'plate']. */
function leaves(value: Json, prefix: string[] = []): string[][] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [prefix];
  const entries = Object.entries(value as Record<string, Json>);
  if (entries.length === 0) return [prefix];
  return entries.flatMap(([key, child]) => leaves(child, [...prefix, key]));
}

function setAt(root: Json, path: string[], value: Json, remove = false): Json {
  if (path.length === 0) return value;
  const copy = { ...(root as Record<string, Json>) };
  const [head, ...rest] = path;
  if (rest.length === 0) {
    if (remove) delete copy[head];
    else copy[head] = value;
  } else {
    copy[head] = setAt(copy[head], rest, value, remove);
  }
  return copy;
}

/** A valid-looking object with one thing wrong (or, rarely, nothing wrong). */
function mutate(prng: Prng, valid: Json): Json {
  const paths = leaves(valid);
  const path = paths[prng.int(0, paths.length - 1)];
  const kind = prng.weighted({
    garbageField: 5,
    reproduction: 3,
    dropField: 1,
    reservedKey: 1,
    unknownKey: 1,
    wholeBody: 1,
    valid: 0.5,
  });
  switch (kind) {
    case 'garbageField':
      return setAt(valid, path, garbage(prng));
    case 'reproduction':
      return setAt(valid, path, REPRODUCTIONS[prng.int(0, REPRODUCTIONS.length - 1)](prng));
    case 'dropField':
      return setAt(valid, path, undefined, true);
    case 'reservedKey': {
      const key = RESERVED_KEYS[prng.int(0, RESERVED_KEYS.length - 1)];
      return { ...(valid as object), ...own(key, garbage(prng)) };
    }
    case 'unknownKey':
      return { ...(valid as object), [`x${prng.int(0, 9)}`]: garbage(prng) };
    case 'wholeBody':
      return garbage(prng);
    default:
      return valid;
  }
}

/** Raw bodies no JSON encoder would produce. */
const RAW_BODIES: { type: string; body: string | Buffer }[] = [
  { type: 'application/json', body: '{"name":' },
  { type: 'application/json', body: '{"a":1,}' },
  { type: 'application/json', body: '{"a":1} trailing' },
  { type: 'application/json', body: '\ufeff{"a":1}' },
  { type: 'application/json', body: 'null' },
  { type: 'application/json', body: '"a string"' },
  { type: 'application/json', body: '[[[[[[[[[[' },
  {
    type: 'application/json',
    body: '{"__proto__":{"isAdmin":true},"constructor":{"prototype":{}}}',
  },
  { type: 'application/json', body: '{"email":"\\ud800","name":"\\u0000"}' },
  { type: 'application/json', body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]) },
  { type: 'application/json; charset=latin1', body: '{"a":1}' },
  { type: 'text/plain', body: 'hello' },
  { type: 'application/x-www-form-urlencoded', body: 'a[b][c][d][e][f][g]=1&__proto__[x]=1' },
  { type: 'multipart/form-data; boundary=x', body: '--x\r\n\r\n--x--' },
  { type: 'application/xml', body: '<a/>' },
];

const PATH_IDS = [
  'not-a-uuid',
  '%00',
  '%E0%A4%A',
  '%ED%A0%80',
  '..%2F..%2Fetc',
  '00000000-0000-0000-0000-00000000000g',
  'x'.repeat(2_000),
  '%F0%9F%98%80',
  '1%20OR%201%3D1',
];

function queryValue(prng: Prng): string {
  const choices = [
    '',
    'x',
    '%00',
    'a%00b',
    '%ED%A0%80',
    '%E0%A4%A',
    'NaN',
    'Infinity',
    '-1',
    '1e308',
    '999999999999999999999',
    '0x10',
    'x'.repeat(5_000),
    encodeURIComponent(JSON.stringify({ toString: 'x' })),
  ];
  return choices[prng.int(0, choices.length - 1)];
}

function buildQuery(prng: Prng, op: Operation, spec: Spec): string {
  const parts: string[] = [];
  for (const { name, schema } of op.query) {
    if (prng.chance(0.3)) continue;
    const sample = spec.sample(schema, name);
    const value = prng.chance(0.5) ? queryValue(prng) : encodeURIComponent(String(sample));
    parts.push(`${name}=${value}`);
    if (prng.chance(0.15)) parts.push(`${name}=${queryValue(prng)}`);
    if (prng.chance(0.1)) parts.push(`${name}[toString]=x`);
  }
  if (prng.chance(0.2)) {
    const key = ['__proto__', 'constructor', 'toString', 'unknown', 'a[b][c]', '%00'][
      prng.int(0, 5)
    ];
    parts.push(`${key}=${queryValue(prng)}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

interface Outcome {
  status: number;
  body: unknown;
  label: string;
}

describe(`seeded fuzz of every route and socket event (seed ${SEED})`, () => {
  let server: RunningServer;
  let world: World;
  let tokens: Record<'rider' | 'driver' | 'admin', string>;
  let tripId: string;

  beforeAll(async () => {
    server = await startTestServer();
    world = new World(server.url);
    const [rider, driver, admin] = await Promise.all([
      signUpRider(server.url),
      signUpDriver(server.url),
      fetch(`${server.url}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...TEST_ADMIN, role: 'admin' }),
      }).then((res) => res.json() as Promise<{ accessToken: string }>),
    ]);
    tokens = { rider: rider.token, driver: driver.token, admin: admin.accessToken };
    // One real trip, so that some ids reach the services' ownership and state checks.
    tripId = (await world.requestTrip(rider, randomCity())).id;
  });
  afterAll(async () => {
    world?.close();
    await server?.close();
  });

  it('answers each named reproduction of issue 14 with a 4xx in the error shape', async () => {
    const nested = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
    const signUp = (fields: string) =>
      `{"email":"${unique('r')}@example.com","password":"password-1",${fields}}`;
    const cases: { path: string; body: string; status: number; token?: string }[] = [
      { path: '/auth/riders', body: signUp(`"name":${nested(1_500)}`), status: 400 },
      { path: '/auth/riders', body: signUp(`"name":${nested(1_200)}`), status: 400 },
      { path: '/auth/riders', body: signUp('"name":"Ada\\u0000Lovelace"'), status: 400 },
      {
        path: '/auth/drivers',
        body: signUp('"name":"\\u0000","vehicle":{"plate":"AB 12","cabType":"XL"}'),
        status: 400,
      },
      {
        path: '/auth/riders',
        body: '{"name":"A","email":"\\ud800","password":"password-1"}',
        status: 400,
      },
      {
        path: '/auth/login',
        body: '{"email":"a\\udc00@x.io","password":"p","role":"rider"}',
        status: 400,
      },
      { path: '/auth/riders', body: signUp('"name":{"toString":"x"}'), status: 400 },
      { path: '/auth/riders', body: signUp('"name":"A","constructor":"x"'), status: 400 },
      { path: '/auth/riders', body: signUp('"name":"A","__proto__":{"x":1}'), status: 400 },
      {
        path: '/trips',
        body: '{"pickup":{"lat":{"toString":"x"},"lng":0},"dropoff":{"lat":0,"lng":0},"cabType":"XL","paymentMethod":"CARD"}',
        status: 400,
        token: tokens.rider,
      },
      {
        path: `/trips/${tripId}/start`,
        body: '{"pickupCode":{"constructor":"x"}}',
        status: 400,
        token: tokens.driver,
      },
      { path: '/drivers/me/status', body: nested(1_500), status: 400, token: tokens.driver },
      // Past the 64 kB JSON limit (and under Nest's default 100 kB): 413 in the error shape.
      { path: '/auth/riders', body: signUp(`"name":"${'x'.repeat(80_000)}"`), status: 413 },
    ];
    for (const c of cases) {
      const res = await fetch(`${server.url}${c.path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(c.token ? { authorization: `Bearer ${c.token}` } : {}),
        },
        body: c.body,
      });
      const body = parseJson(await res.text());
      expect({ path: c.path, body: c.body.slice(0, 80), status: res.status }).toEqual({
        path: c.path,
        body: c.body.slice(0, 80),
        status: c.status,
      });
      expect(isErrorShape(body, c.status)).toBe(true);
    }

    // Socket emits without a payload, or with extra arguments, are answered VALIDATION.
    const driverSocket = await world.connect('/driver', tokens.driver);
    const riderSocket = await world.connect('/rider', tokens.rider);
    // Online, so that a ping is validated (an offline driver's is refused INVALID_STATE first).
    await driverSocket
      .timeout(ACK_TIMEOUT_MS)
      .emitWithAck('driver:status', { status: 'AVAILABLE' });
    for (const [socket, event] of [
      [driverSocket, 'driver:location'],
      [driverSocket, 'driver:status'],
      [driverSocket, 'trip:accept'],
      [riderSocket, 'trip:request'],
      [riderSocket, 'cabs:watch'],
    ] as const) {
      const none = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck(event);
      expect({ event, none }).toMatchObject({
        event,
        none: { ok: false, error: { code: 'VALIDATION' } },
      });
      const extra = await socket
        .timeout(ACK_TIMEOUT_MS)
        .emitWithAck(event, { status: 'AVAILABLE' }, 'extra');
      expect({ event, extra }).toMatchObject({
        event,
        extra: { ok: false, error: { code: 'VALIDATION' } },
      });
      socket.emit(event);
      socket.emit(event, { tripId: randomUUID() }, 'extra', 3);
    }
    expect(driverSocket.connected && riderSocket.connected).toBe(true);
  });

  it('answers thousands of malformed REST requests with 4xx in the error shape, never 5xx', async () => {
    const prng = new Prng(SEED);
    const document = (await (await fetch(`${server.url}/docs/json`)).json()) as OpenApi;
    const spec = new Spec(document);
    const operations = spec.operations();
    expect(operations.length).toBeGreaterThan(25);

    const cases = Array.from({ length: HTTP_CASES }, (_, i) => {
      // Round-robin over the routes first, so every one gets its share; then the PRNG decides.
      const op = operations[i % operations.length];
      return () => httpCase(prng, spec, op);
    });
    const outcomes = await runPool(cases, HTTP_CONCURRENCY);

    const byStatus = countBy(outcomes.map((o) => String(o.status)));
    console.log(`fuzz http seed=${SEED} n=${outcomes.length} status=${JSON.stringify(byStatus)}`);
    const serverErrors = outcomes.filter((o) => o.status >= 500 || o.status === 0);
    expect(serverErrors.slice(0, 10)).toEqual([]);
    const badShape = outcomes.filter((o) => o.status >= 400 && !isErrorShape(o.body, o.status));
    expect(badShape.slice(0, 10)).toEqual([]);
    // Every route was reached, and most answers are refusals rather than successes.
    const reached = new Set(outcomes.map((o) => o.label.split(' ').slice(0, 2).join(' ')));
    expect(reached.size).toBe(operations.length);
    expect(outcomes.filter((o) => o.status >= 400).length).toBeGreaterThan(HTTP_CASES * 0.8);

    async function httpCase(prng: Prng, spec: Spec, op: Operation): Promise<Outcome> {
      const idRoll = prng.next();
      const id =
        idRoll < 0.5
          ? PATH_IDS[prng.int(0, PATH_IDS.length - 1)]
          : idRoll < 0.75
            ? tripId
            : randomUUID();
      const path = op.path.replace(/\{[^}]+\}/g, id) + buildQuery(prng, op, spec);
      const authRoll = prng.next();
      const headers: Record<string, string> = {};
      if (authRoll < 0.3) headers.authorization = `Bearer ${tokens.rider}`;
      else if (authRoll < 0.6) headers.authorization = `Bearer ${tokens.driver}`;
      else if (authRoll < 0.85) headers.authorization = `Bearer ${tokens.admin}`;
      else if (authRoll < 0.93) headers.authorization = `Bearer ${'x'.repeat(prng.int(0, 300))}`;
      if (prng.chance(0.05)) headers['idempotency-key'] = prng.chance(0.5) ? '' : 'k'.repeat(300);

      let body: string | Buffer | undefined;
      const bodyRoll = prng.next();
      if (op.method !== 'GET' && bodyRoll < 0.08) {
        const raw = RAW_BODIES[prng.int(0, RAW_BODIES.length - 1)];
        headers['content-type'] = raw.type;
        body = raw.body;
      } else if (op.method !== 'GET' && bodyRoll < 0.11) {
        headers['content-type'] = 'application/json';
        // Past the body limit: a 413, not a parse of megabytes.
        body = JSON.stringify({ name: 'x'.repeat(prng.int(200_000, 2_000_000)) });
      } else if (op.method !== 'GET') {
        const valid = op.body ? spec.sample(op.body) : {};
        headers['content-type'] = 'application/json';
        body = JSON.stringify(mutate(prng, valid)) ?? 'null';
      }
      const label = `${op.method} ${op.path} ${path.slice(0, 120)} ${String(body ?? '').slice(0, 160)}`;
      try {
        const res = await fetch(`${server.url}${path}`, { method: op.method, headers, body });
        const text = await res.text();
        return { status: res.status, body: parseJson(text), label };
      } catch (error) {
        return { status: 0, body: String(error), label };
      }
    }
  });

  it('answers every malformed socket emit that has an ack, never INTERNAL, and survives the rest', async () => {
    const prng = new Prng(SEED + 1);
    const [driver, rider] = await Promise.all([signUpDriver(server.url), signUpRider(server.url)]);
    const sockets = {
      driver: await world.connect('/driver', driver.token),
      rider: await world.connect('/rider', rider.token),
    };
    const events = [
      ...DRIVER_EVENTS.map((event) => ({ side: 'driver' as const, event })),
      ...RIDER_EVENTS.map((event) => ({ side: 'rider' as const, event })),
    ];
    const validPayloads: Record<string, Json> = {
      'driver:status': { status: 'AVAILABLE' },
      'driver:location': { lat: 10, lng: 10, ts: Date.now() },
      'trip:start': { tripId, pickupCode: '1234' },
      'trip:request': {
        pickup: { lat: 10, lng: 10 },
        dropoff: { lat: 10.01, lng: 10 },
        cabType: 'ECONOMY',
        paymentMethod: 'CARD',
      },
      'trip:cancel': { tripId, reason: 'fuzz' },
      'cabs:watch': { lat: 10, lng: 10, radius: 1_000 },
    };

    const cases = Array.from({ length: SOCKET_CASES }, (_, i) => {
      const { side, event } = events[i % events.length];
      return () =>
        socketCase(prng, sockets[side], event, validPayloads[event] ?? { tripId: randomUUID() });
    });
    const outcomes = await runPool(cases, SOCKET_CONCURRENCY);

    const byAnswer = countBy(outcomes.map((o) => o.answer));
    console.log(
      `fuzz socket seed=${SEED} n=${outcomes.length} answers=${JSON.stringify(byAnswer)}`,
    );
    expect(outcomes.filter((o) => o.answer === 'INTERNAL').slice(0, 10)).toEqual([]);
    expect(outcomes.filter((o) => o.answer === 'no ack').slice(0, 10)).toEqual([]);
    // Both sockets are still connected and still answered.
    expect(sockets.driver.connected && sockets.rider.connected).toBe(true);
    const status = await sockets.driver
      .timeout(ACK_TIMEOUT_MS)
      .emitWithAck('driver:status', { status: 'OFFLINE' });
    expect(status).toMatchObject({ ok: true });
  });

  it('still serves, and counted no unhandled error', async () => {
    const live = await fetch(`${server.url}/health/live`);
    expect(live.status).toBe(200);
    const me = await fetch(`${server.url}/riders/me`, {
      headers: { authorization: `Bearer ${tokens.rider}` },
    });
    expect(me.status).toBe(200);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toContain('ridehail_unhandled_errors_total');
    expect(unhandledErrors(metrics)).toBe(0);
  });
});

/** Every client event of each namespace; `satisfies` breaks the build when the contract grows. */
const DRIVER_EVENTS = Object.keys({
  'driver:status': 1,
  'driver:location': 1,
  'trip:accept': 1,
  'trip:deny': 1,
  'trip:arrive': 1,
  'trip:start': 1,
  'trip:complete': 1,
  'trip:cancel': 1,
} satisfies Record<keyof DriverClientEvents, 1>);
const RIDER_EVENTS = Object.keys({
  'trip:request': 1,
  'trip:cancel': 1,
  'cabs:watch': 1,
  'cabs:unwatch': 1,
} satisfies Record<keyof RiderClientEvents, 1>);

interface SocketOutcome {
  answer: string;
  label: string;
}

async function socketCase(
  prng: Prng,
  socket: Socket,
  event: string,
  valid: Json,
): Promise<SocketOutcome> {
  const payload = mutate(prng, valid);
  const shape = prng.weighted({
    payloadAck: 6,
    ackOnly: 1,
    extraArgsAck: 1,
    payloadNoAck: 1,
    nothing: 0.5,
    extraArgsNoAck: 0.5,
  });
  const label = `${event} ${shape} ${String(JSON.stringify(payload)).slice(0, 160)}`;
  const args: Json[] =
    shape === 'payloadAck' || shape === 'payloadNoAck'
      ? [payload]
      : shape === 'extraArgsAck' || shape === 'extraArgsNoAck'
        ? [payload, garbage(prng), 'extra']
        : [];
  if (shape === 'payloadNoAck' || shape === 'nothing' || shape === 'extraArgsNoAck') {
    socket.emit(event, ...args);
    return { answer: 'not asked', label };
  }
  try {
    const answer = (await socket.timeout(ACK_TIMEOUT_MS).emitWithAck(event, ...args)) as {
      ok?: boolean;
      error?: { code?: string };
    };
    return { answer: answer?.ok ? 'ok' : String(answer?.error?.code), label };
  } catch {
    return { answer: 'no ack', label };
  }
}

async function runPool<T>(tasks: (() => Promise<T>)[], concurrency: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  // The PRNG is drawn from in task order inside each worker's synchronous prefix, so a seed
  // always produces the same requests whatever the timing of their answers.
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < tasks.length) {
        const index = next;
        next += 1;
        results[index] = await tasks[index]();
      }
    }),
  );
  return results;
}

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text.slice(0, 200);
  }
}

function isErrorShape(body: unknown, status: number): boolean {
  const b = body as { statusCode?: unknown; error?: unknown; message?: unknown } | null;
  return (
    b !== null &&
    typeof b === 'object' &&
    b.statusCode === status &&
    typeof b.error === 'string' &&
    typeof b.message === 'string'
  );
}

function unhandledErrors(metrics: string): number {
  return metrics
    .split('\n')
    .filter((line) => line.startsWith('ridehail_unhandled_errors_total'))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}
