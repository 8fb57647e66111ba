import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { installHostAliases, parseAliases } from './compose-hosts';

describe('compose host aliases', () => {
  it('parses the alias list with a default', () => {
    expect(parseAliases(undefined)).toEqual(['upstream', 'collector', 'redis']);
    expect(parseAliases(' A, b ,,')).toEqual(['a', 'b']);
    expect(parseAliases('')).toEqual([]);
  });

  it('makes fetch and http reach 127.0.0.1 by service name, and leaves other names alone', async () => {
    const server = http.createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      await expect(fetch(`http://compose-alias-test:${port}/`)).rejects.toThrow();
      installHostAliases(['compose-alias-test']);
      expect(await (await fetch(`http://compose-alias-test:${port}/`)).text()).toBe('ok');
      const body = await new Promise<string>((resolve, reject) => {
        http.get({ host: 'COMPOSE-ALIAS-TEST', port, path: '/' }, (res) => {
          let s = '';
          res.on('data', (c) => (s += c));
          res.on('end', () => resolve(s));
        }).on('error', reject);
      });
      expect(body).toBe('ok');
      expect(await (await fetch(`http://localhost:${port}/`)).text()).toBe('ok');
    } finally {
      server.close();
    }
  });
});
