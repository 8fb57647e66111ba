/**
 * Pluginserver process management, as Kong's worker 0 does it
 * (`kong/runloop/plugin_servers/process.lua: pluginserver_timer, grab_logs`):
 * spawn the start command with stderr merged into stdout, log every output line at INFO with the
 * prefix `[<name>:<pid>] `, respawn after an exit at most once per second for as long as the gateway
 * runs, and send SIGTERM on stop. Kong has no readiness check (3.5+); we additionally wait for the
 * socket file at startup so the gateway does not answer its first requests with 500s.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { EventEmitter } from 'node:events';
import type { GatewayLog } from './log';

export interface ServerDef {
  /** The pluginserver name (Kong: the `pluginserver_names` entry). */
  name: string;
  /** Unix socket path Kong connects to. */
  socket: string;
  /** Start command: absolute executable plus arguments. */
  start: { file: string; args: string[]; env?: NodeJS.ProcessEnv; cwd?: string };
}

export class PluginServerProcess extends EventEmitter {
  private child: ChildProcess | null = null;
  private stopping = false;
  private nextSpawnAt = 0;
  private respawnTimer: NodeJS.Timeout | null = null;
  private exitedAt = 0;
  /** Milliseconds between the last exit and the socket of the respawned process appearing. */
  lastRestartGapMs: number | null = null;
  spawnCount = 0;

  constructor(readonly def: ServerDef, private readonly log: GatewayLog) {
    super();
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Spawns the server and resolves once its socket exists (rejects after `timeoutMs`). */
  async start(timeoutMs = 15_000): Promise<void> {
    this.stopping = false;
    this.spawnOnce();
    await this.waitForSocket(timeoutMs);
  }

  private spawnOnce(): void {
    const { file, args, env, cwd } = this.def.start;
    this.log.notice(`[pluginserver] starting pluginserver process for ${this.def.name}`);
    this.nextSpawnAt = Date.now() + 1000;
    this.spawnCount++;
    const child = spawn(file, args, { env: env ?? process.env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const prefix = `[${this.def.name}:${child.pid ?? '?'}] `;
    // stdout and stderr go to the same log at INFO, line by line, as Kong's merged pipe.
    for (const stream of [child.stdout, child.stderr]) {
      let partial = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) if (line !== '') this.log.info(prefix + line);
      });
      stream?.on('end', () => {
        if (partial !== '') this.log.info(prefix + partial);
        partial = '';
      });
    }
    child.on('error', (err) => this.log.error(`[pluginserver] could not spawn ${this.def.name}: ${err.message}`));
    this.log.notice(`[pluginserver] started, pid ${child.pid}`);
    child.on('exit', (code, signal) => {
      if (this.child === child) this.child = null;
      this.exitedAt = Date.now();
      if (code === 127) {
        this.log.error(`[pluginserver] external pluginserver "${this.def.name}" start command "${file}" exited with "command not found"`);
      } else {
        this.log.notice(`external pluginserver '${this.def.name}' terminated: ${signal ? `signal ${signal}` : `exit ${code}`}`);
      }
      this.emit('exit', { code, signal });
      if (this.stopping) return;
      const delay = Math.max(0, this.nextSpawnAt - Date.now());
      this.respawnTimer = setTimeout(() => {
        this.respawnTimer = null;
        if (this.stopping) return;
        this.spawnOnce();
        const exitedAt = this.exitedAt;
        this.waitForSocket(15_000, true).then(
          () => {
            this.lastRestartGapMs = Date.now() - exitedAt;
            this.log.notice(`[pluginserver] ${this.def.name} respawned; restart gap ${this.lastRestartGapMs} ms`);
            this.emit('respawned', { gapMs: this.lastRestartGapMs, pid: this.pid });
          },
          (err: Error) => this.log.error(`[pluginserver] ${this.def.name} did not come back: ${err.message}`),
        );
      }, delay);
    });
  }

  /** Polls for the socket file. With `fresh`, a leftover socket of the dead process does not count. */
  private async waitForSocket(timeoutMs: number, fresh = false): Promise<void> {
    const since = Date.now();
    const deadline = since + timeoutMs;
    const spawnedChild = this.child;
    while (Date.now() < deadline) {
      if (this.stopping) throw new Error('stopped');
      try {
        const st = fs.statSync(this.def.socket);
        if (st.isSocket() && (!fresh || st.mtimeMs >= since - 5)) return;
      } catch {
        // not there yet
      }
      if (spawnedChild && spawnedChild.exitCode !== null) {
        throw new Error(`pluginserver ${this.def.name} exited with code ${spawnedChild.exitCode} before creating ${this.def.socket}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`pluginserver ${this.def.name}: socket ${this.def.socket} did not appear within ${timeoutMs} ms`);
  }

  /** Kills the server (SIGKILL) without stopping supervision: used by tests to simulate a crash. */
  crash(): void {
    this.child?.kill('SIGKILL');
  }

  /** SIGTERM, stop respawning, remove the socket file (the JS server leaves it behind). */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.respawnTimer) clearTimeout(this.respawnTimer);
    this.respawnTimer = null;
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    this.child = null;
    fs.rmSync(this.def.socket, { force: true });
  }
}
