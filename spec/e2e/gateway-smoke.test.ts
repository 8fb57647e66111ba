/**
 * E2E smoke: configure ONLY through the Admin API, send traffic ONLY to the proxy. Runs against real
 * Kong when KONG_ADMIN_URL/KONG_PROXY_URL are set (the fixture plugin must then be installed there),
 * otherwise against the in-process local gateway with the waf-demo fixture plugin.
 */
import fs from 'node:fs';
import path from 'node:path';
import { startE2eGateway, type E2eGateway } from './harness';

jest.setTimeout(60_000);

const fixture = path.resolve(__dirname, '..', 'fixtures', 'plugins', 'waf-demo');
const canRun = !!process.env.KONG_ADMIN_URL || fs.existsSync(path.resolve(__dirname, '..', '..', 'gateway', 'admin', 'server.ts'));

(canRun ? describe : describe.skip)('gateway smoke (Admin API + proxy)', () => {
  let gw: E2eGateway;
  beforeAll(async () => {
    gw = await startE2eGateway({ extraPluginDirs: [fixture], builtPlugins: false });
  });
  afterAll(async () => {
    await gw?.stop();
  });

  async function admin(method: string, p: string, body?: unknown): Promise<Record<string, unknown>> {
    const res = await fetch(gw.adminUrl + p, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (res.status >= 300) throw new Error(`${method} ${p}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  }

  test('a plugin added, changed and removed through the Admin API applies on the next request', async () => {
    const suffix = Date.now().toString(36);
    const service = await admin('POST', '/services', { name: `smoke-${suffix}`, url: gw.upstreamUrl });
    await admin('POST', `/services/${service.id}/routes`, { name: `smoke-${suffix}`, paths: [`/smoke-${suffix}`] });
    expect((await fetch(`${gw.proxyUrl}/smoke-${suffix}/users/1`)).status).toBe(200);

    const plugin = await admin('POST', `/services/${service.id}/plugins`, { name: 'waf-demo', config: { message: 'v1' } });
    const blocked = await fetch(`${gw.proxyUrl}/smoke-${suffix}/users/1`, { headers: { 'x-block': 'yes' } });
    expect(blocked.status).toBe(403);
    expect(await blocked.text()).toBe('blocked by waf-demo');

    await admin('PATCH', `/plugins/${plugin.id}`, { config: { message: 'v2' } });
    expect((await fetch(`${gw.proxyUrl}/smoke-${suffix}/users/1`)).headers.get('x-waf-message')).toBe('v2');

    await admin('DELETE', `/plugins/${plugin.id}`);
    expect((await fetch(`${gw.proxyUrl}/smoke-${suffix}/users/1`, { headers: { 'x-block': 'yes' } })).status).toBe(200);
  });
});
