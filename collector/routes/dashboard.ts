import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * The dashboard assets. The build copies html/css/svg to dist/ but not plain .js, so when running from dist/
 * the files are looked up in the source tree (collector/dashboard) as well.
 */
export function dashboardDir(): string {
  const candidates = [path.join(__dirname, '..', 'dashboard'), path.resolve(__dirname, '..', '..', '..', 'collector', 'dashboard')];
  return candidates.find((dir) => fs.existsSync(path.join(dir, 'app.js'))) ?? candidates[0];
}

// Event data is attacker-controlled; the CSP makes sure that even a rendering bug cannot run injected script.
const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

export function registerDashboardRoutes(app: FastifyInstance): void {
  const dir = dashboardDir();
  // A fixed allow-list of files read once: no path from the URL ever reaches the file system.
  const files = new Map<string, { type: string; body: Buffer }>();
  for (const name of fs.readdirSync(dir)) {
    const type = TYPES[path.extname(name)];
    if (type && !name.includes('.test.')) files.set(name, { type, body: fs.readFileSync(path.join(dir, name)) });
  }

  const send = (name: string) => async (_request: unknown, reply: import('fastify').FastifyReply) => {
    const file = files.get(name);
    if (!file) return reply.code(404).send({ error: 'not_found', message: 'no such asset' });
    return reply.headers(SECURITY_HEADERS).header('Cache-Control', 'no-cache').type(file.type).send(file.body);
  };

  app.get('/', send('index.html'));
  app.get('/assets/:name', async (request, reply) => send((request.params as { name: string }).name)(request, reply));
}
