/** RPC framing against a fake server: one write per message, one request per connection, split replies. */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { decode, encode } from '@msgpack/msgpack';
import { RpcClient, RpcError } from './rpc';

let dir: string;
let server: net.Server;
let sock: string;
const chunksPerConn: Buffer[][] = [];
let mode: 'split' | 'notify-then-reply' | 'error' | 'wrong-id' = 'split';

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rpc-'));
  sock = path.join(dir, 's.sock');
  server = net.createServer((c) => {
    const chunks: Buffer[] = [];
    chunksPerConn.push(chunks);
    c.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const [, msgid, method, args] = decode(chunk) as [number, number, string, unknown[]];
      const reply = (m: unknown[]) => Buffer.from(encode(m));
      if (mode === 'error') return void c.write(reply([1, msgid, 'no plugin instance #3', null]));
      if (mode === 'wrong-id') return void c.write(reply([1, msgid + 100, null, 'x']));
      const body = reply([1, msgid, null, { method, args, pad: 'y'.repeat(300) }]);
      if (mode === 'notify-then-reply') {
        c.write(Buffer.concat([reply([2, 'serverPid', 42]), body]));
        return;
      }
      // split the reply at every few bytes, including inside fixed-width fields
      let i = 0;
      const step = () => {
        if (i >= body.length) return;
        c.write(body.subarray(i, i + 7));
        i += 7;
        setImmediate(step);
      };
      step();
    });
  });
  await new Promise<void>((r) => server.listen(sock, () => r()));
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  fs.rmSync(dir, { recursive: true, force: true });
});

test('each request is exactly one write of one msgpack message; split replies are reassembled', async () => {
  mode = 'split';
  const rpc = new RpcClient(sock);
  const r1 = await rpc.call('plugin.HandleEvent', { InstanceId: 1, EventName: 'access' });
  expect(r1).toMatchObject({ method: 'plugin.HandleEvent', args: [{ InstanceId: 1, EventName: 'access' }] });
  const r2 = await rpc.call('plugin.Step', { EventId: 0 });
  expect(r2).toMatchObject({ method: 'plugin.Step', args: [{ EventId: 0 }] }); // Data omitted (nil)
  const conn = chunksPerConn[chunksPerConn.length - 1];
  expect(conn).toHaveLength(2);
  expect(decode(conn[0])).toEqual([0, 1, 'plugin.HandleEvent', [{ InstanceId: 1, EventName: 'access' }]]);
  expect(decode(conn[1])).toEqual([0, 2, 'plugin.Step', [{ EventId: 0 }]]);
  expect(rpc.stats.writes).toBe(2);
  rpc.close();
});

test('parallel calls use separate connections (never two outstanding on one)', async () => {
  mode = 'split';
  const before = chunksPerConn.length;
  const rpc = new RpcClient(sock);
  await Promise.all([1, 2, 3].map((i) => rpc.call('plugin.Step', { EventId: i, Data: i })));
  expect(chunksPerConn.length - before).toBe(3);
  for (const conn of chunksPerConn.slice(before)) expect(conn).toHaveLength(1);
  await rpc.call('plugin.Step', { EventId: 9 }); // reuses a pooled connection
  expect(chunksPerConn.length - before).toBe(3);
  rpc.close();
});

test('notifications are handled and skipped before the reply', async () => {
  mode = 'notify-then-reply';
  const seen: unknown[] = [];
  const rpc = new RpcClient(sock, (label, args) => seen.push([label, args]));
  await expect(rpc.call('plugin.GetStatus')).resolves.toMatchObject({ method: 'plugin.GetStatus' });
  expect(seen).toEqual([['serverPid', 42]]);
  rpc.close();
});

test('error replies and mismatched msgids reject', async () => {
  mode = 'error';
  const rpc = new RpcClient(sock);
  await expect(rpc.call('plugin.HandleEvent', {})).rejects.toThrow('no plugin instance #3');
  mode = 'wrong-id';
  await expect(rpc.call('plugin.HandleEvent', {})).rejects.toThrow(/unexpected RPC response ID/);
  rpc.close();
});

test('connect failure is an RpcError', async () => {
  const rpc = new RpcClient(path.join(dir, 'missing.sock'));
  await expect(rpc.call('plugin.GetStatus')).rejects.toBeInstanceOf(RpcError);
});
