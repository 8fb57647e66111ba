/**
 * The dashboard's API inventory panel in headless Chromium (/usr/bin/chromium): endpoints with sensitive-data
 * badges, shadow marking, parameters per endpoint, the "changed since" filter, the OpenAPI export, and
 * attacker-shaped names rendered as text. Saves artifacts/dashboard-inventory.png.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { Inventory, InventorySender } from '../../plugins/api-waf/discovery';
import { req } from '../../plugins/api-waf/discovery/testing';
import { waitForCount } from '../testing/browser';
import { NODE_TOKENS, startTestCollector, type TestCollector } from '../testing/collector';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SCREENSHOT = path.resolve(__dirname, '..', '..', 'artifacts', 'dashboard-inventory.png');
const XSS_FIELD = '<img src=x onerror=__xss=1>';

jest.setTimeout(120_000);

describe('API inventory panel in headless Chromium', () => {
  let collector: TestCollector;
  let browser: Browser;
  let page: Page;
  const yesterday = Date.now() - 86_400_000;
  const lastWeek = Date.now() - 8 * 86_400_000;

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing`);
    collector = await startTestCollector('sqlite');
    const inv = new Inventory();
    const sender = new InventorySender(inv, { endpoint: collector.url, token: NODE_TOKENS['node-a'], nodeId: 'node-a' });
    const at = (time: number, r: ReturnType<typeof req>) => inv.observe({ request: r, routeId: 'route-shop', serviceId: 'svc-shop', time });
    for (let i = 0; i < 12; i++) at(lastWeek, req('GET', `/shop/products/${100 + i}?lang=en`));
    at(lastWeek, req('POST', '/shop/checkout', { json: { email: 'jane@example.com', card: '4111111111111111', qty: 1 } }));
    await sender.flush();
    at(yesterday, req('GET', '/shop/products/7?lang=de&sort=price'));
    at(yesterday, req('GET', '/shop/internal/debug', { headers: { authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl' } }));
    at(yesterday, req('POST', '/shop/feedback', { json: { [XSS_FIELD]: 'x' } }));
    await sender.flush();
    const spec = { openapi: '3.1.0', info: { title: 'shop', version: '1' }, paths: { '/shop/products/{id}': { get: {} }, '/shop/checkout': { post: {} }, '/shop/feedback': { post: {} } } };
    const put = await fetch(`${collector.url}/api/v1/inventory/spec?route=route-shop`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ document: spec }) });
    expect(put.status).toBe(200);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  });
  afterAll(async () => {
    await browser?.close();
    await collector?.close();
  });

  const rows = () => page.locator('#inventory tbody tr.summary');
  const waitRows = async (n: number): Promise<void> => {
    expect(await waitForCount(page, rows(), n)).toBe(n);
  };

  test('endpoints, sensitive badges, shadow marking and parameters', async () => {
    await page.goto(collector.url);
    await page.waitForSelector('body[data-ready=true]');
    expect(await rows().count()).toBe(4);
    const checkout = page.locator('#inventory tr[data-endpoint="POST /shop/checkout"]');
    expect(await checkout.locator('.badge.sensitive').allTextContents()).toEqual(['email', 'card']);
    const debug = page.locator('#inventory tr[data-endpoint="GET /shop/internal/debug"]');
    expect(await debug.getAttribute('class')).toContain('shadow');
    expect(await debug.locator('.badge.sensitive').allTextContents()).toEqual(['jwt', 'bearer']);
    expect(await page.locator('#inventory tr.shadow').count()).toBe(1);
    expect(await page.locator('#inventory-specs').textContent()).toContain('route:route-shop');

    await page.locator('#inventory tr[data-endpoint="GET /shop/products/{id}"]').click();
    const detail = page.locator('#inventory tr.detail:not([hidden])');
    expect(await detail.locator('tr[data-param="path.id"]').textContent()).toContain('integer 13');
    expect(await detail.locator('tr[data-param="query.lang"]').textContent()).toContain('string 13');
    await page.locator('#inventory tr[data-endpoint="GET /shop/products/{id}"]').click();
  });

  test('attacker-shaped field names stay text', async () => {
    await page.locator('#inventory tr[data-endpoint="POST /shop/feedback"]').click();
    const cell = page.locator('#inventory tr.detail:not([hidden]) td.mono', { hasText: XSS_FIELD });
    expect(await cell.count()).toBe(1);
    expect(await page.locator('#inventory img').count()).toBe(0);
    expect(await page.evaluate('window.__xss')).toBeUndefined();
    await page.locator('#inventory tr[data-endpoint="POST /shop/feedback"]').click();
  });

  test('changed since: only new endpoints and endpoints with new parameters', async () => {
    const day = new Date(yesterday - 3_600_000);
    const value = `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, '0')}-${String(day.getDate()).padStart(2, '0')}`;
    await page.fill('#inventory-filters input[name=since]', value);
    await page.click('#inventory-filters button[type=submit]');
    await waitRows(3);
    const endpoints: (string | null)[] = [];
    for (let i = 0; i < (await rows().count()); i++) endpoints.push(await rows().nth(i).getAttribute('data-endpoint'));
    expect(endpoints.sort()).toEqual(['GET /shop/internal/debug', 'GET /shop/products/{id}', 'POST /shop/feedback']);
    expect(await page.locator('#inventory tr[data-endpoint="GET /shop/products/{id}"] .badge.new').count()).toBe(0);
    await page.locator('#inventory tr[data-endpoint="GET /shop/products/{id}"]').click();
    expect(await page.locator('#inventory tr.detail:not([hidden]) tr[data-param="query.sort"] .badge.new').count()).toBe(1);
    expect(await page.locator('#inventory tr.detail:not([hidden]) tr[data-param="query.lang"] .badge.new').count()).toBe(0);

    await page.check('#inventory-filters input[name=shadow]');
    await page.click('#inventory-filters button[type=submit]');
    await waitRows(1);
    await page.click('#inventory-filters button[type=reset]');
    await waitRows(4);
  });

  test('OpenAPI export', async () => {
    await page.click('#inventory-export');
    await page.locator('#inventory-export-view:not([hidden])').waitFor();
    const doc = JSON.parse((await page.locator('#inventory-export-text').textContent()) ?? '{}') as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(['/shop/checkout', '/shop/feedback', '/shop/internal/debug', '/shop/products/{id}']);
    expect(await page.locator('#inventory-download').getAttribute('href')).toMatch(/^blob:/);
    await page.locator('#inventory tr[data-endpoint="POST /shop/checkout"]').click();
    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.locator('#inventory-panel').screenshot({ path: SCREENSHOT });
  });
});
