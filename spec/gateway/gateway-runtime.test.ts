/**
 * The whole local gateway in-process (startGateway): kong.yaml (DB-less) -> proxy -> real pluginservers
 * -> demo upstream (REST, GraphQL, gRPC over h2c). Checks the emulated PDK values as they arrive in JS.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { startGateway, type RunningGateway } from '../../gateway/main';
import { startDemoUpstream, PROTO_PATH, type DemoUpstream } from '../../gateway/demo-upstream/server';
import { GatewayLog } from '../../gateway/driver/log';
import { FIXTURES } from './helpers';

jest.setTimeout(60_000);

let gw: RunningGateway;
let demo: DemoUpstream;
let prefix: string;

beforeAll(async () => {
  prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'kgw-rt-'));
  demo = await startDemoUpstream({ port: 0, grpcPort: 0 });
  const yaml = `_format_version: "3.0"
services:
  - name: rest
    url: http://127.0.0.1:${demo.httpPort}
    routes:
      - name: api
        paths: ["/api"]
      - name: tour
        paths: ["~/tour/(?<section>[a-z]+)"]
        plugins:
          - name: pdk-tour
      - name: resp
        paths: ["/resp"]
        plugins:
          - name: response-demo
      - name: resp-replace
        paths: ["/replace"]
        plugins:
          - name: response-demo
            config: { replace_body: "replaced by plugin" }
  - name: grpc
    url: grpc://127.0.0.1:${demo.grpcPort}
    routes:
      - name: grpc-users
        protocols: ["grpc"]
        paths: ["/demo.Users/"]
        strip_path: false
        plugins:
          - name: waf-demo
consumers:
  - username: alice
`;
  const file = path.join(prefix, 'kong.yaml');
  fs.writeFileSync(file, yaml);
  gw = await startGateway({
    proxyListen: '127.0.0.1:0',
    adminListen: 'off',
    grpcListen: '127.0.0.1:0',
    collectorListen: null,
    pluginsDir: path.join(prefix, 'none'),
    extraPluginDirs: ['pdk-tour', 'response-demo', 'waf-demo'].map((p) => path.join(FIXTURES, p)),
    prefix,
    database: 'off',
    declarativeConfig: file,
    workers: 2,
    demoUpstream: null,
    debugHeaders: true,
    log: new GatewayLog('error', false),
  });
});

afterAll(async () => {
  await gw?.stop();
  await demo?.stop();
  fs.rmSync(prefix, { recursive: true, force: true });
});

type Described = { type: string; value?: unknown; text?: string };

test('PDK values as a JS plugin sees them (multimaps, nil, bin body, captures, entities)', async () => {
  // node:http sends a repeated header as separate lines (fetch would join them with ", ")
  const res = await new Promise<{ status: number; headers: { get(n: string): string | null }; body: string }>((resolve, reject) => {
    const req = http.request(`${gw.proxyUrl}/tour/abc/x?a=1&a=2&flag&e=`, { method: 'POST' }, (r) => {
      let body = '';
      r.setEncoding('utf8');
      r.on('data', (c: string) => (body += c));
      r.on('end', () => resolve({ status: r.statusCode ?? 0, headers: { get: (n) => (r.headers[n] as string) ?? null }, body }));
    });
    req.on('error', reject);
    req.setHeader('x-multi', ['one', 'two']);
    req.setHeader('content-type', 'application/json');
    req.end('{"k":"v"}');
  });
  expect(res.status).toBe(200);
  const r = JSON.parse(res.body) as Record<string, Described>;
  expect(r['request.get_method']).toEqual({ type: 'string', value: 'POST' });
  expect(r['request.get_path']).toEqual({ type: 'string', value: '/tour/abc/x' });
  expect(r['request.get_raw_query']).toEqual({ type: 'string', value: 'a=1&a=2&flag&e=' });
  expect(r['request.get_query'].value).toEqual({ a: ['1', '2'], flag: [], e: [''] });
  expect(r['request.get_query_arg'].value).toBe('1');
  expect((r['request.get_headers'].value as Record<string, string[]>)['x-multi']).toEqual(['one', 'two']);
  expect((r['request.get_headers'].value as Record<string, string[]>)['content-type']).toEqual(['application/json']);
  expect(r['request.get_header']).toEqual({ type: 'string', value: 'one' });
  expect(r['request.get_header_missing']).toEqual({ type: 'undefined' });
  expect(r['request.get_raw_body']).toEqual({ type: 'Uint8Array', text: '{"k":"v"}' });
  expect(r['request.get_body'].value).toEqual({ k: 'v' });
  expect(r['request.get_uri_captures'].value).toEqual({ unnamed: ['/tour/abc', 'abc'], named: { section: 'abc' } });
  expect(r['request.get_http_version'].value).toBe(1.1);
  expect(r['client.get_ip'].value).toBe('127.0.0.1');
  expect(r['client.get_consumer']).toEqual({ type: 'undefined' });
  expect((r['client.load_consumer'].value as { username: string }).username).toBe('alice');
  expect(r['ctx.shared.get'].value).toBe('v1');
  expect(r['nginx.get_subsystem'].value).toBe('http');
  expect(r['nginx.get_var'].value).toBe(res.headers.get('x-kong-request-id'));
  expect((r['router.get_route'].value as { name: string }).name).toBe('tour');
  expect((r['router.get_service'].value as { name: string }).name).toBe('rest');
  expect(typeof r['plugin.get_id'].value).toBe('string');
  expect(r['unknown.method']).toEqual({ type: 'undefined' });
  // 39 answered PDK calls + the unanswered exit; round trips: [StartInstance] + HandleEvent + 39 Steps
  expect(res.headers.get('x-kong-emu-rpc')).toMatch(/pdk-tour=4[01]\/40$/);
});

test('REST through the proxy: strip_path, X-Forwarded-*, X-Real-IP, X-Kong-Request-Id, latency headers', async () => {
  const res = await fetch(`${gw.proxyUrl}/api/users/1`);
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ id: 1, name: 'Alice', email: 'alice@example.test' });
  expect(res.headers.get('x-kong-upstream-latency')).toMatch(/^\d+$/);
  expect(res.headers.get('x-kong-proxy-latency')).toMatch(/^\d+$/);
  const echo = (await (await fetch(`${gw.proxyUrl}/api/echo?q=1`, { headers: { 'x-forwarded-for': '6.6.6.6' } })).json()) as {
    path: string;
    headers: Record<string, string>;
  };
  expect(echo.path).toBe('/echo');
  expect(echo.headers['x-forwarded-for']).toBe('127.0.0.1');
  expect(echo.headers['x-real-ip']).toBe('127.0.0.1');
  expect(echo.headers['x-forwarded-prefix']).toBe('/api');
  expect(echo.headers['x-forwarded-path']).toBe('/api/echo');
  expect(echo.headers['x-kong-request-id']).toMatch(/^[0-9a-f]{32}$/);
});

test('GraphQL through the proxy', async () => {
  const res = await fetch(`${gw.proxyUrl}/api/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: 'query($id: ID!) { user(id: $id) { name orders { item } } }', variables: { id: '1' } }),
  });
  expect(await res.json()).toEqual({ data: { user: { name: 'Alice', orders: [{ item: 'book' }] } } });
});

test('response phase: buffered proxying, service response seen by the plugin, exit replaces the body', async () => {
  const res = await fetch(`${gw.proxyUrl}/resp/users/2`);
  expect(res.status).toBe(200);
  expect(res.headers.get('x-upstream-status')).toBe('200');
  expect(res.headers.get('x-upstream-ctype')).toBe('application/json');
  expect(res.headers.get('x-upstream-body-type')).toBe('[object Uint8Array]');
  expect(((await res.json()) as { name: string }).name).toBe('Bob');
  const replaced = await fetch(`${gw.proxyUrl}/replace/users/2`);
  expect(await replaced.text()).toBe('replaced by plugin');
});

test('gRPC over h2c through the gRPC listener; a plugin exit becomes a grpc-status', async () => {
  const def = protoLoader.loadSync(PROTO_PATH, { keepCase: true, longs: Number, defaults: true });
  const pkg = grpc.loadPackageDefinition(def) as unknown as { demo: { Users: grpc.ServiceClientConstructor } };
  const client = new pkg.demo.Users(new URL(gw.grpcUrl!).host, grpc.credentials.createInsecure()) as unknown as grpc.Client & {
    GetUser(req: unknown, md: grpc.Metadata, cb: (err: grpc.ServiceError | null, res: unknown) => void): void;
  };
  try {
    const user = await new Promise((resolve, reject) => client.GetUser({ id: 2 }, new grpc.Metadata(), (e, r) => (e ? reject(e) : resolve(r))));
    expect(user).toMatchObject({ id: 2, name: 'Bob' });
    const md = new grpc.Metadata();
    md.set('x-block', 'yes');
    const err = await new Promise<grpc.ServiceError>((resolve) => client.GetUser({ id: 2 }, md, (e) => resolve(e!)));
    expect(err.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(err.details).toBe('blocked by waf-demo');
  } finally {
    client.close();
  }
});
