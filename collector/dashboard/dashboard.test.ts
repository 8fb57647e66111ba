/**
 * The dashboard in real headless Chromium (the system /usr/bin/chromium; this test never downloads a browser):
 * charts, tables, filters and IP-list add/remove work, and XSS payloads inside events render as inert text.
 * Saves artifacts/dashboard.png.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { EventInput } from '../store/types';
import { makeBatch, makeEvent } from '../testing/events';
import { waitForCount } from '../testing/browser';
import { ADMIN_TOKEN, startTestCollector, type TestCollector } from '../testing/collector';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];
const SCREENSHOT = path.resolve(__dirname, '..', '..', 'artifacts', 'dashboard.png');

const XSS_SCRIPT = '<script>window.__xss=1</script>';
const XSS_IMG = '<img src=x onerror="window.__xss=2">';
const XSS_TYPE = '<img src=x onerror=__xss=3>';

jest.setTimeout(120_000);

describe('dashboard in headless Chromium', () => {
  let collector: TestCollector;
  let browser: Browser;
  let page: Page;
  const dialogs: string[] = [];
  const events = seedEvents();
  const count = (predicate: (event: EventInput) => boolean) => String(events.filter(predicate).length);

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    collector = await startTestCollector('sqlite', { adminToken: ADMIN_TOKEN });
    await collector.postEvents(makeBatch(events));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
  });
  afterAll(async () => {
    await browser?.close();
    await collector?.close();
  });

  test('asks for the admin token, then renders cards, chart and top lists', async () => {
    await page.goto(collector.url);
    await page.locator('#login').waitFor({ state: 'visible' });
    await page.fill('#login input[name=token]', ADMIN_TOKEN);
    await page.click('#login button[type=submit]');
    await page.waitForSelector('body[data-ready=true]');

    const cards = await page.locator('#cards .card .value').allTextContents();
    expect(cards.slice(0, 4)).toEqual([
      String(events.length), count((e) => e.action === 'blocked'), count((e) => e.action === 'monitored'), count((e) => e.action === 'passed'),
    ]);
    expect(await page.locator('#chart svg rect[data-type]').count()).toBeGreaterThan(10);
    const legend = await page.locator('#legend button').allTextContents();
    expect(legend.join(' ')).toContain('sqli');
    expect(await page.locator('#top-routes tbody tr').count()).toBeGreaterThan(1);
    expect(await page.locator('#top-ips tbody tr').first().textContent()).toContain('198.51.100.10');
    expect(await page.locator('#nodes tbody tr').textContent()).toContain('node-a');
  });

  test('XSS payloads from events render as text and never run', async () => {
    await page.fill('#filters input[name=q]', 'window.__xss');
    await page.click('#filters button[type=submit]');
    expect(await waitForCount(page, page.locator('#events tbody tr.summary'), 1)).toBe(1);
    await page.click('#events tbody tr.summary');
    const excerpts = await page.locator('#events tr.detail pre.excerpt').allTextContents();
    expect(excerpts).toEqual(expect.arrayContaining([XSS_SCRIPT, XSS_IMG]));
    const row = await page.locator('#events tbody tr.summary').textContent();
    expect(row).toContain(XSS_TYPE);
    expect(row).toContain('/search?<b>bold</b>');
    // Nothing from the data became markup, and nothing ran.
    expect(await page.locator('#events img, #events script, #legend img, #filter-type img').count()).toBe(0);
    expect(await page.locator('#events b, #events i', { hasText: /^(bold|name)$/ }).count()).toBe(0);
    expect(await page.evaluate('window.__xss')).toBeUndefined();
    expect(await page.locator('#legend').textContent()).toContain(XSS_TYPE);
    expect(dialogs).toEqual([]);
  });

  test('filters narrow the event list', async () => {
    const waitTotal = (n: string) =>
      page.locator('#events-total', { hasText: `· ${n} matching` }).waitFor();
    await page.click('#filters button[type=reset]');
    await waitTotal(String(events.length));
    await page.selectOption('#filters select[name=action]', 'monitored');
    await page.click('#filters button[type=submit]');
    await waitTotal(count((e) => e.action === 'monitored'));
    const badges = await page.locator('#events tbody tr.summary .badge').allTextContents();
    expect(String(badges.length)).toBe(count((e) => e.action === 'monitored'));
    expect(new Set(badges)).toEqual(new Set(['monitored']));

    await page.click('#filters button[type=reset]');
    await page.fill('#filters input[name=ip]', '198.51.100.10');
    await page.click('#filters button[type=submit]');
    await waitTotal(count((e) => e.client_ip === '198.51.100.10'));

    // Clicking a legend entry filters by that type.
    await page.click('#filters button[type=reset]');
    await page.locator('#legend button', { hasText: 'xss' }).first().click();
    await waitTotal(count((e) => e.attack_types.includes('xss')));
    expect(await page.inputValue('#filter-type')).toBe('xss');
    await page.click('#filters button[type=reset]');
    await waitTotal(String(events.length));
  });

  test('IP lists: add and remove through the form', async () => {
    await page.fill('#ipform input[name=cidr]', '203.0.113.99');
    await page.selectOption('#ipform select[name=list]', 'deny');
    await page.selectOption('#ipform select[name=ttl]', '86400');
    await page.fill('#ipform input[name=reason]', 'scanner <b>seen</b>');
    await page.click('#ipform button[type=submit]');
    const row = page.locator('#iplist-table tr[data-cidr="203.0.113.99/32"]');
    await row.waitFor();
    expect(await row.textContent()).toContain('scanner <b>seen</b>');
    const synced = await collector.get('/api/v1/iplists', { Authorization: `Bearer ${ADMIN_TOKEN}` });
    expect(((await synced.json()) as { entries: { cidr: string }[] }).entries.map((e) => e.cidr)).toEqual(['203.0.113.99/32']);

    await page.fill('#ipform input[name=cidr]', 'not-an-ip');
    await page.click('#ipform button[type=submit]');
    await page.locator('#ipform-error', { hasText: '/cidr' }).waitFor();

    await page.locator('#top-ips tbody tr').first().locator('button', { hasText: 'Deny 1d' }).click();
    await page.locator('#iplist-table tr[data-cidr="198.51.100.10/32"]').waitFor();

    await page.setViewportSize({ width: 1440, height: 900 });
    await page.evaluate('window.scrollTo(0, 0)');
    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    await row.locator('button', { hasText: 'Remove' }).click();
    await row.waitFor({ state: 'detached' });
    const after = await collector.get('/api/v1/iplists', { Authorization: `Bearer ${ADMIN_TOKEN}` });
    expect(((await after.json()) as { entries: { cidr: string }[] }).entries.map((e) => e.cidr)).toEqual(['198.51.100.10/32']);
  });
});

/** 78 events over the last 20 hours, mostly blocked; the last one carries the XSS payloads. */
function seedEvents() {
  const now = Date.now();
  const types = ['sqli', 'xss', 'rce', 'path_traversal', 'nosqli'];
  const paths = ['/api/users', '/api/login', '/graphql', '/api/files', '/api/search'];
  const events = Array.from({ length: 77 }, (_, i) => {
    const type = types[i % types.length];
    const action = i < 49 ? 'blocked' : i < 69 ? 'monitored' : 'passed';
    return makeEvent({
      time: new Date(now - ((i * 37) % 1200) * 60_000 - 30_000).toISOString(),
      attack_types: i % 11 === 0 ? [type, 'xss'] : [type],
      action,
      client_ip: i % 5 === 0 || i % 3 === 0 ? '198.51.100.10' : `203.0.113.${i % 7}`,
      path: paths[i % paths.length],
      rule: `${type}.rule-${i % 4}`,
      findings: [{ type, point: 'query.q', excerpt: `payload ${i}: ${type === 'sqli' ? "' OR 1=1 --" : '../../etc/passwd'}` }],
    });
  });
  events.push(makeEvent({
    time: new Date(now - 5 * 60_000).toISOString(),
    attack_types: [XSS_TYPE],
    action: 'blocked',
    client_ip: '192.0.2.44',
    path: '/search?<b>bold</b>',
    rule: '<img src=x onerror=__xss=4>',
    findings: [
      { type: 'xss', point: 'query.q', excerpt: XSS_SCRIPT },
      { type: 'xss', point: 'body.json.<i>name</i>', excerpt: XSS_IMG },
    ],
  }));
  return events;
}
