/**
 * Finds the API key in a request the way Kong's key-auth does (`kong/plugins/key-auth/handler.lua`,
 * `do_authentication`): for each name in `key_names`, in order, look in the header, then the query,
 * then (our additions) the cookie, then the body. The first location holding a string wins; a name
 * present several times in one location is a "duplicate" (401). A flag query arg (`?apikey`) is
 * skipped, like Kong (its value is not a string). Body: form-urlencoded or JSON object (string value).
 * Each location is read lazily, so a key in a header costs only the headers RPC.
 */
import type { KongServiceRequest } from '../common/pdk';
import { parseCookies, parseQueryString, firstHeader, type RequestSnapshot } from '../common/request-snapshot';
import type { KeyAuthSettings } from './config';

export type KeyLocation = 'header' | 'query' | 'cookie' | 'body';

export type KeySearch =
  | { status: 'found'; key: string; location: KeyLocation; name: string }
  | { status: 'missing' }
  | { status: 'duplicate'; location: KeyLocation; name: string };

type BodyKind = 'form' | 'json' | 'other';

interface ParsedBody {
  kind: BodyKind;
  text: string;
  form?: ReturnType<typeof parseQueryString>;
  json?: Record<string, unknown>;
}

function bodyKind(contentType: string | undefined): BodyKind {
  const ct = (contentType ?? '').toLowerCase();
  const semi = ct.indexOf(';');
  const mime = (semi >= 0 ? ct.slice(0, semi) : ct).trim();
  if (mime === 'application/x-www-form-urlencoded') return 'form';
  if (mime === 'application/json' || (mime.startsWith('application/') && mime.endsWith('+json'))) return 'json';
  return 'other';
}

export class KeyFinder {
  private body?: ParsedBody;

  constructor(
    private readonly conf: KeyAuthSettings,
    private readonly snap: RequestSnapshot,
  ) {}

  private async parsedBody(): Promise<ParsedBody> {
    if (this.body) return this.body;
    const headers = await this.snap.headers();
    const kind = bodyKind(firstHeader(headers, 'content-type'));
    if (kind === 'other') return (this.body = { kind, text: '' });
    const raw = await this.snap.rawBody();
    const text = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8');
    if (kind === 'form') return (this.body = { kind, text, form: parseQueryString(text, 1000) });
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
        return (this.body = { kind, text, json: parsed as Record<string, unknown> });
      }
    } catch {
      /* not JSON: no key in the body */
    }
    return (this.body = { kind: 'other', text });
  }

  async find(): Promise<KeySearch> {
    const c = this.conf;
    for (const name of c.keyNames) {
      const lower = name.toLowerCase();
      if (c.keyInHeader) {
        const values = (await this.snap.headers())[lower];
        if (values && values.length > 1) return { status: 'duplicate', location: 'header', name };
        if (values && values.length === 1) return this.found(values[0], 'header', name);
      }
      if (c.keyInQuery) {
        const hits = (await this.snap.query()).filter((a) => a.name === name && a.value !== undefined);
        if (hits.length > 1) return { status: 'duplicate', location: 'query', name };
        if (hits.length === 1) return this.found(hits[0].value as string, 'query', name);
      }
      if (c.keyInCookie) {
        const cookies = parseCookies((await this.snap.headers())['cookie']);
        const values = cookies.get(name);
        if (values && values.length > 1) return { status: 'duplicate', location: 'cookie', name };
        if (values && values.length === 1) return this.found(values[0], 'cookie', name);
      }
      if (c.keyInBody) {
        const body = await this.parsedBody();
        if (body.form) {
          const hits = body.form.filter((a) => a.name === name && a.value !== undefined);
          if (hits.length > 1) return { status: 'duplicate', location: 'body', name };
          if (hits.length === 1) return this.found(hits[0].value as string, 'body', name);
        } else if (body.json && Object.prototype.hasOwnProperty.call(body.json, name)) {
          const v = body.json[name];
          if (typeof v === 'string') return this.found(v, 'body', name);
          if (v !== null && typeof v === 'object') return { status: 'duplicate', location: 'body', name };
        }
      }
    }
    return { status: 'missing' };
  }

  private found(key: string, location: KeyLocation, name: string): KeySearch {
    // Kong: the first string wins even when empty, and an empty key is "no key".
    return key === '' ? { status: 'missing' } : { status: 'found', key, location, name };
  }

  /** Removes the key from the upstream request (hide_credentials). 1 RPC per location touched. */
  async hide(found: Extract<KeySearch, { status: 'found' }>, upstream: KongServiceRequest): Promise<void> {
    const { location, name } = found;
    if (location === 'header') {
      await upstream.clearHeader(name);
    } else if (location === 'query') {
      await upstream.clearQueryArg(name);
    } else if (location === 'cookie') {
      const rest: string[] = [];
      for (const header of (await this.snap.headers())['cookie'] ?? []) {
        for (const piece of header.split(';')) {
          const eq = piece.indexOf('=');
          const cookieName = (eq >= 0 ? piece.slice(0, eq) : piece).trim();
          if (cookieName && cookieName !== name) rest.push(piece.trim());
        }
      }
      if (rest.length > 0) await upstream.setHeader('cookie', rest.join('; '));
      else await upstream.clearHeader('cookie');
    } else {
      const body = await this.parsedBody();
      if (body.json) {
        const copy: Record<string, unknown> = { ...body.json };
        delete copy[name];
        await upstream.setRawBody(JSON.stringify(copy));
      } else if (body.form) {
        // Keep the other fields byte-for-byte: drop only the pieces whose decoded name matches.
        const kept = body.text.split('&').filter((piece) => {
          const args = parseQueryString(piece, 1);
          return !(args.length === 1 && args[0].name === name);
        });
        await upstream.setRawBody(kept.join('&'));
      }
    }
  }
}
