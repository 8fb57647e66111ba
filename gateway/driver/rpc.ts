/**
 * MessagePack-RPC client, as Kong's `kong/runloop/plugin_servers/rpc/mp_rpc.lua` (`Rpc:call`):
 * - request `[0, msgid, method, [args...]]`, response `[1, msgid, error, result]`, notification
 *   `[2, label, args]`; bare msgpack, no length prefix;
 * - a pool of Unix-socket connections (Kong: cosocket keepalive pool per worker); each call takes an
 *   idle connection or opens one, sends ONE message in ONE write(), reads until its reply, then returns
 *   the connection to the pool. Exactly one outstanding request per connection, because
 *   kong-js-pluginserver crashes when two messages share a read chunk (protocol notes §2.2);
 * - replies are decoded as a stream, so a reply split over several chunks is reassembled;
 * - 60 s timeouts (nginx cosocket defaults; mp_rpc sets none of its own).
 */
import net from 'node:net';
import { Decoder, Encoder } from '@msgpack/msgpack';

export class RpcError extends Error {
  override name = 'RpcError';
}

export type NotificationHandler = (label: unknown, args: unknown) => void;

/** The encoder Kong's side needs: undefined map values are left out (Lua nil in a table = no key). */
const encoder = new Encoder(undefined, undefined, undefined, undefined, undefined, undefined, true);

export function encodeMessage(message: unknown): Uint8Array {
  return encoder.encode(message);
}

/** Async queue of socket chunks, consumed by @msgpack/msgpack's streaming decoder. */
class ChunkQueue implements AsyncIterable<Uint8Array> {
  private readonly chunks: Uint8Array[] = [];
  private waiter: ((r: IteratorResult<Uint8Array>) => void) | null = null;
  private ended = false;

  push(chunk: Uint8Array): void {
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w({ value: chunk, done: false });
    } else this.chunks.push(chunk);
  }

  end(): void {
    this.ended = true;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w({ value: undefined, done: true });
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return {
      next: () => {
        const chunk = this.chunks.shift();
        if (chunk) return Promise.resolve({ value: chunk, done: false });
        if (this.ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => (this.waiter = resolve));
      },
    };
  }
}

interface Pending {
  msgid: number;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export interface RpcStats {
  calls: number;
  writes: number;
  connectionsOpened: number;
}

/** One Unix-socket connection with at most one request in flight. */
export class RpcConnection {
  private readonly socket: net.Socket;
  private pending: Pending | null = null;
  private closed = false;
  readonly ready: Promise<void>;

  constructor(
    socketPath: string,
    private readonly onNotification: NotificationHandler,
    private readonly stats: RpcStats,
    private readonly timeoutMs: number,
  ) {
    this.socket = net.createConnection(socketPath);
    this.socket.setNoDelay(true);
    const queue = new ChunkQueue();
    this.ready = new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new RpcError('timeout'));
        this.destroy();
      }, timeoutMs);
      this.socket.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      this.socket.once('error', (err) => {
        clearTimeout(timer);
        reject(new RpcError(err.message));
      });
    });
    this.ready.catch(() => undefined);
    this.socket.on('data', (chunk: Buffer) => queue.push(chunk));
    this.socket.on('error', () => undefined);
    this.socket.on('close', () => {
      this.closed = true;
      queue.end();
      this.failPending(new RpcError('no data'));
    });
    void this.readLoop(queue);
  }

  get isOpen(): boolean {
    return !this.closed && !this.socket.destroyed;
  }

  private async readLoop(queue: ChunkQueue): Promise<void> {
    try {
      for await (const message of new Decoder().decodeStream(queue)) this.onMessage(message);
    } catch (err) {
      // Undecodable bytes: the connection is unusable, as Kong's unpacker would fail on it.
      this.failPending(new RpcError(`no data (${(err as Error).message})`));
      this.destroy();
    }
  }

  private onMessage(message: unknown): void {
    if (!Array.isArray(message)) return;
    if (message[0] === 2) {
      this.onNotification(message[1], message[2]);
      return;
    }
    const pending = this.pending;
    if (!pending) return;
    this.pending = null;
    clearTimeout(pending.timer);
    if (message[0] !== 1) {
      pending.reject(new RpcError('RPC response expected from Go plugin server'));
      this.destroy();
    } else if (message[1] !== pending.msgid) {
      pending.reject(new RpcError('unexpected RPC response ID from Go plugin server'));
      this.destroy();
    } else if (message[2] !== null && message[2] !== undefined) {
      pending.reject(new RpcError(String(message[2])));
    } else {
      pending.resolve(message[3]);
    }
  }

  private failPending(err: Error): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = null;
    clearTimeout(pending.timer);
    pending.reject(err);
  }

  call(msgid: number, method: string, args: unknown[]): Promise<unknown> {
    if (this.pending) return Promise.reject(new RpcError('connection busy (driver bug: one request per connection)'));
    if (!this.isOpen) return Promise.reject(new RpcError('closed'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.failPending(new RpcError('timeout'));
        this.destroy();
      }, this.timeoutMs);
      this.pending = { msgid, resolve, reject, timer };
      const bytes = encodeMessage([0, msgid, method, args]);
      this.stats.writes++;
      this.socket.write(bytes); // ONE write per message
    });
  }

  destroy(): void {
    this.closed = true;
    this.socket.destroy();
  }
}

/** Per (simulated worker, plugin) RPC object: msgid counter + keepalive pool, like Kong's `Rpc`. */
export class RpcClient {
  private msgid = 0;
  private readonly idle: RpcConnection[] = [];
  private readonly all = new Set<RpcConnection>();
  readonly stats: RpcStats = { calls: 0, writes: 0, connectionsOpened: 0 };

  constructor(
    private readonly socketPath: string,
    private readonly onNotification: NotificationHandler = () => undefined,
    private readonly timeoutMs = 60_000,
    private readonly poolSize = 256,
  ) {}

  async call(method: string, ...args: unknown[]): Promise<unknown> {
    this.msgid++;
    const msgid = this.msgid;
    this.stats.calls++;
    let conn = this.idle.pop();
    while (conn && !conn.isOpen) conn = this.idle.pop();
    if (!conn) {
      conn = new RpcConnection(this.socketPath, this.onNotification, this.stats, this.timeoutMs);
      this.stats.connectionsOpened++;
      this.all.add(conn);
      try {
        await conn.ready;
      } catch (err) {
        this.all.delete(conn);
        throw new RpcError(`trying to connect: ${(err as Error).message}`);
      }
    }
    try {
      return await conn.call(msgid, method, args);
    } finally {
      if (conn.isOpen && this.idle.length < this.poolSize) this.idle.push(conn);
      else {
        conn.destroy();
        this.all.delete(conn);
      }
    }
  }

  close(): void {
    for (const conn of this.all) conn.destroy();
    this.all.clear();
    this.idle.length = 0;
  }
}
