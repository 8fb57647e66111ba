#!/usr/bin/env node
/*
 * npm run test:kong — the same end-to-end suites as `npm test`, against REAL Kong in docker-compose:
 *   1. checks that a Docker engine answers (stops at once with a clear message and exit 1 if not),
 *   2. `docker compose --profile postgres up -d --build` Kong with PostgreSQL (+ `kong migrations bootstrap`),
 *      the demo upstream, the collector and Redis (Admin API writes work as in production),
 *   3. waits for Kong's /status, runs the e2e suites with KONG_ADMIN_URL / KONG_PROXY_URL pointing at it,
 *   4. tears everything down (also on failure).
 * Not part of `npm test`: our CI machines have no Docker engine.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const ADMIN = process.env.KONG_ADMIN_URL || 'http://127.0.0.1:8101';
const PROXY = process.env.KONG_PROXY_URL || 'http://127.0.0.1:8100';
const SUITES = ['spec/e2e/api-waf.test.ts', 'spec/e2e/key-auth-ext.test.ts'];
const SERVICES = ['kong-database', 'kong-migrations', 'kong-pg', 'upstream', 'collector', 'redis'];

function sh(cmd, args, opts = {}) {
  return spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
}

function compose(args) {
  // `docker compose` (v2 plugin) or the standalone docker-compose
  const v2 = spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0;
  return v2 ? sh('docker', ['compose', '--profile', 'postgres', ...args]) : sh('docker-compose', ['--profile', 'postgres', ...args]);
}

async function waitForStatus(deadlineMs) {
  while (Date.now() < deadlineMs) {
    try {
      const res = await fetch(`${ADMIN}/status`);
      if (res.ok) return true;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
  return false;
}

async function main() {
  const info = spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 15000 });
  if (info.error || info.status !== 0) {
    process.stderr.write(
      'test:kong needs a running Docker engine, and none answers here (`docker info` failed).\n' +
        'Run it where Docker is available; `npm test` runs the same e2e suites against the local gateway.\n',
    );
    process.exit(1);
  }
  let code = 1;
  try {
    if (compose(['up', '-d', '--build', ...SERVICES]).status !== 0) throw new Error('docker compose up failed');
    if (!(await waitForStatus(Date.now() + 180000))) throw new Error(`Kong did not answer ${ADMIN}/status within 3 minutes`);
    const env = {
      ...process.env,
      KONG_ADMIN_URL: ADMIN,
      KONG_PROXY_URL: PROXY,
      KONG_GRPC_URL: process.env.KONG_GRPC_URL || 'http://127.0.0.1:9180',
      E2E_UPSTREAM_URL: 'http://upstream:9000',
      E2E_UPSTREAM_GRPC_TARGET: 'upstream:9001',
      E2E_REDIS_HOST: 'redis',
      E2E_TEST_HOST: 'host.docker.internal',
    };
    const jest = require.resolve('jest/bin/jest');
    code = sh(process.execPath, [jest, '--runInBand', ...SUITES], { env }).status ?? 1;
  } catch (err) {
    process.stderr.write(`test:kong: ${err.message}\n`);
  } finally {
    compose(['down', '-v']);
  }
  process.exit(code);
}

main();
