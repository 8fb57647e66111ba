import http from 'node:http';
import { IpListSync } from './ip-lists';

describe('IpListSync', () => {
  let server: http.Server;
  let url = '';
  let body = '';
  let status = 200;
  const seen: http.IncomingHttpHeaders[] = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push(req.headers);
      const etag = `"${body.length}"`;
      if (req.headers['if-none-match'] === etag) {
        res.statusCode = 304;
        return res.end();
      }
      res.statusCode = status;
      res.setHeader('etag', etag);
      res.end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('loads lists, matches allow > deny > grey, honours expiry, uses ETag and keeps lists on failure', async () => {
    let now = Date.parse('2026-06-01T00:00:00Z');
    body = JSON.stringify({
      entries: [
        { cidr: '203.0.113.0/24', list: 'deny', reason: 'scanner', expires_at: null },
        { cidr: '203.0.113.7', list: 'allow', reason: 'partner', expires_at: null },
        { cidr: '198.51.100.0/24', list: 'grey', reason: 'temp', expires_at: '2026-06-01T00:10:00Z' },
        { cidr: '198.51.100.0/24', list: 'grey', reason: 'perm', expires_at: null },
        { cidr: '2001:db8::/32', list: 'deny', reason: 'v6', expires_at: '2026-06-01T00:05:00Z' },
        { cidr: 'bogus', list: 'deny', reason: null, expires_at: null },
      ],
    });
    const lists = new IpListSync({ endpoint: url, token: 'node-token', clock: () => now });
    await lists.refresh();
    expect(seen[0].authorization).toBe('Bearer node-token');
    expect(lists.match('203.0.113.9')).toEqual({ list: 'deny', cidr: '203.0.113.0/24', reason: 'scanner' });
    expect(lists.match('203.0.113.7')?.list).toBe('allow');
    expect(lists.match('198.51.100.1')?.reason).toBe('temp');
    expect(lists.match('2001:db8::1')?.list).toBe('deny');
    expect(lists.match('192.0.2.1')).toBeUndefined();
    expect(lists.lastError).toContain('bogus');

    now = Date.parse('2026-06-01T00:06:00Z');
    expect(lists.match('2001:db8::1')).toBeUndefined(); // expired before the next poll
    expect(lists.match('198.51.100.1')?.reason).toBe('temp');

    await lists.refresh();
    expect(seen[1]['if-none-match']).toBe(`"${body.length}"`);
    status = 500;
    body = 'broken';
    await lists.refresh();
    expect(lists.lastError).toMatch(/500/);
    expect(lists.match('203.0.113.9')?.list).toBe('deny'); // last good lists kept
  });

  it('an unreachable collector leaves empty lists and never throws', async () => {
    const lists = new IpListSync({ endpoint: 'http://127.0.0.1:1', requestTimeoutMs: 300 });
    await expect(lists.refresh()).resolves.toBeUndefined();
    expect(lists.match('1.2.3.4')).toBeUndefined();
    expect(lists.lastError).toBeDefined();
  });
});
