/**
 * Demo upstream ("echo API") for the local gateway:
 * - REST on HTTP/1.1 (default 127.0.0.1:9000, env DEMO_UPSTREAM_HOST / DEMO_UPSTREAM_PORT): echoes method,
 *   path, query, headers and body as JSON; resources /users, /users/{id}, /orders;
 * - GraphQL at /graphql (POST JSON or GET ?query=);
 * - grpc-web (application/grpc-web+proto) at /demo.Users/<Method> on the same port;
 * - gRPC over h2c (default 127.0.0.1:9001, env DEMO_UPSTREAM_GRPC_PORT) with @grpc/grpc-js.
 */
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';
import { createResolvers, runGraphql } from './graphql';

export const PROTO_PATH = path.join(__dirname, 'demo.proto');
const MAX_BODY = 8 * 1024 * 1024;

export interface DemoUpstream {
  httpUrl: string;
  httpPort: number;
  grpcPort: number;
  grpcTarget: string;
  stop(): Promise<void>;
}

interface UserRow { id: number; name: string; email: string }

const USERS: UserRow[] = [
  { id: 1, name: 'Alice', email: 'alice@example.test' },
  { id: 2, name: 'Bob', email: 'bob@example.test' },
];

function json(res: http.ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** grpc-web framing: 1 flag byte + 4-byte big-endian length + message. */
function grpcWebFrames(body: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let i = 0;
  while (i + 5 <= body.length) {
    const len = body.readUInt32BE(i + 1);
    if (i + 5 + len > body.length) break;
    if ((body[i] & 0x80) === 0) out.push(body.subarray(i + 5, i + 5 + len));
    i += 5 + len;
  }
  return out;
}

function frame(flag: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head[0] = flag;
  head.writeUInt32BE(payload.length, 1);
  return Buffer.concat([head, payload]);
}

export async function startDemoUpstream(opts: { host?: string; port?: number; grpcPort?: number } = {}): Promise<DemoUpstream> {
  const host = opts.host ?? process.env.DEMO_UPSTREAM_HOST ?? '127.0.0.1';
  const port = opts.port ?? Number(process.env.DEMO_UPSTREAM_PORT ?? 9000);
  const grpcPort = opts.grpcPort ?? Number(process.env.DEMO_UPSTREAM_GRPC_PORT ?? 9001);
  const root = await protobuf.load(PROTO_PATH);
  const types = {
    GetUserRequest: root.lookupType('demo.GetUserRequest'),
    User: root.lookupType('demo.User'),
    EchoRequest: root.lookupType('demo.EchoRequest'),
    EchoReply: root.lookupType('demo.EchoReply'),
  };
  const graphqlRoot = createResolvers();
  const orders: Array<Record<string, unknown>> = [{ id: 100, user_id: 1, item: 'book', quantity: 2 }];

  const userById = (id: number) => USERS.find((u) => u.id === id);

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => {
      void handle(req, res, Buffer.concat(chunks), size > MAX_BODY).catch((err: Error) => json(res, 500, { error: err.message }));
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, tooBig: boolean): Promise<void> {
    if (tooBig) return json(res, 413, { error: 'body too large' });
    const url = new URL(req.url ?? '/', 'http://demo');
    const method = req.method ?? 'GET';
    const ctype = String(req.headers['content-type'] ?? '');

    if (ctype.startsWith('application/grpc-web')) return grpcWeb(url.pathname, body, res);

    if (url.pathname === '/graphql' || url.pathname.endsWith('/graphql')) {
      const input =
        method === 'GET'
          ? { query: url.searchParams.get('query') ?? undefined, variables: parseJson(Buffer.from(url.searchParams.get('variables') ?? 'null')) }
          : ((parseJson(body) ?? {}) as Record<string, unknown>);
      if (method !== 'GET' && input === undefined) return json(res, 400, { errors: [{ message: 'invalid JSON body' }] });
      return json(res, 200, await runGraphql(graphqlRoot, input as Record<string, unknown>));
    }

    const userMatch = /^\/users\/(\d+)$/.exec(url.pathname);
    if (userMatch && method === 'GET') {
      const u = userById(Number(userMatch[1]));
      return u ? json(res, 200, u) : json(res, 404, { error: 'user not found' });
    }
    if (url.pathname === '/users' && method === 'GET') return json(res, 200, USERS);
    if (url.pathname === '/orders' && method === 'GET') return json(res, 200, orders);
    if (url.pathname === '/orders' && method === 'POST') {
      const order = parseJson(body);
      if (!order || typeof order !== 'object') return json(res, 400, { error: 'order must be a JSON object' });
      const created = { id: 100 + orders.length, ...(order as Record<string, unknown>) };
      orders.push(created);
      return json(res, 201, created);
    }
    const status = Number(url.searchParams.get('status') ?? 200);
    return json(res, status >= 100 && status < 600 ? status : 200, {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body: body.toString('utf8'),
      body_length: body.length,
    });
  }

  function grpcWeb(pathname: string, body: Buffer, res: http.ServerResponse): void {
    const trailer = (status: number, message: string): Buffer =>
      frame(0x80, Buffer.from(`grpc-status:${status}\r\ngrpc-message:${encodeURIComponent(message)}\r\n`));
    const frames = grpcWebFrames(body);
    let reply: Buffer | null = null;
    let status = 0;
    let message = '';
    try {
      if (pathname === '/demo.Users/GetUser') {
        const reqMsg = types.GetUserRequest.toObject(types.GetUserRequest.decode(frames[0] ?? Buffer.alloc(0))) as { id?: number };
        const u = userById(reqMsg.id ?? 0);
        if (u) reply = Buffer.from(types.User.encode(types.User.create(u)).finish());
        else [status, message] = [5, 'user not found'];
      } else if (pathname === '/demo.Users/Echo') {
        const reqMsg = types.EchoRequest.toObject(types.EchoRequest.decode(frames[0] ?? Buffer.alloc(0))) as { message?: string };
        reply = Buffer.from(types.EchoReply.encode(types.EchoReply.create({ message: reqMsg.message ?? '', metadata: { transport: 'grpc-web' } })).finish());
      } else [status, message] = [12, `unknown method ${pathname}`];
    } catch (err) {
      [status, message] = [3, `bad request message: ${(err as Error).message}`];
    }
    const out = Buffer.concat([reply ? frame(0, reply) : Buffer.alloc(0), trailer(status, message)]);
    res.writeHead(200, { 'Content-Type': 'application/grpc-web+proto', 'Content-Length': out.length });
    res.end(out);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const httpPort = (server.address() as AddressInfo).port;

  const packageDef = protoLoader.loadSync(PROTO_PATH, { keepCase: true, longs: Number, defaults: true });
  const proto = grpc.loadPackageDefinition(packageDef) as unknown as { demo: { Users: { service: grpc.ServiceDefinition } } };
  const grpcServer = new grpc.Server();
  grpcServer.addService(proto.demo.Users.service, {
    GetUser: (call: grpc.ServerUnaryCall<{ id: number }, unknown>, cb: grpc.sendUnaryData<unknown>) => {
      const u = userById(call.request.id);
      if (u) cb(null, u);
      else cb({ code: grpc.status.NOT_FOUND, message: 'user not found' } as grpc.ServiceError, null);
    },
    Echo: (call: grpc.ServerUnaryCall<{ message: string }, unknown>, cb: grpc.sendUnaryData<unknown>) => {
      const metadata: Record<string, string> = { transport: 'grpc' };
      for (const [k, v] of Object.entries(call.metadata.getMap())) metadata[k] = String(v);
      cb(null, { message: call.request.message, metadata });
    },
  });
  const boundGrpcPort = await new Promise<number>((resolve, reject) =>
    grpcServer.bindAsync(`${host}:${grpcPort}`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );

  return {
    httpUrl: `http://${host}:${httpPort}`,
    httpPort,
    grpcPort: boundGrpcPort,
    grpcTarget: `${host}:${boundGrpcPort}`,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await new Promise<void>((r) => grpcServer.tryShutdown(() => r()));
    },
  };
}

if (require.main === module) {
  void startDemoUpstream().then((u) => {
    process.stdout.write(`demo upstream: REST/GraphQL/grpc-web ${u.httpUrl}, gRPC h2c ${u.grpcTarget}\n`);
    const stop = () => void u.stop().then(() => process.exit(0));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
