/**
 * Tests for the speed/quality pass over the detectors: symbol-soup bounds keep the anchored rules,
 * encoded CRLF in body values, double-encoded SSRF, open redirects in the path, multipart file names
 * with backslashes, and the false positives that pass removed (resource URLs, system binaries in
 * telemetry, transported programs).
 */
import { createDetectorInput, makePoint } from '../detector-input';
import { inspect } from '../inspect';
import type { AttackType, HttpRequest, Point } from '../types';
import { DETECTORS } from './index';

const conf = (type: AttackType, value: string, path = 'query.q', over: Partial<Point> = {}): number => {
  const d = DETECTORS.find((x) => x.type === type);
  if (d === undefined) throw new Error(type);
  const name = path.split('.').pop();
  return d.detect(createDetectorInput(makePoint(value, path, { name, ...over })))?.confidence ?? 0;
};

/** Random printable text (bot-manager sensor data), deterministic. */
function soup(n: number, seed = 7): string {
  let x = seed;
  let s = '';
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    s += String.fromCharCode(33 + ((x >>> 16) % 94));
  }
  return s;
}

describe('symbol soup (sensor data)', () => {
  const noise = soup(3000);

  it('does not raise cmdi/xss/ssti on random printable text', () => {
    for (const t of ['cmdi', 'xss', 'ssti'] as const) expect(conf(t, noise, 'body.json.sensor_data')).toBeLessThan(0.5);
  });

  it('still finds anchored attacks padded with soup', () => {
    const mid = noise.length / 2;
    const pad = (payload: string): string => noise.slice(0, mid) + payload + noise.slice(mid);
    expect(conf('cmdi', pad(' ; cat /etc/passwd ; '), 'body.json.data')).toBeGreaterThanOrEqual(0.5);
    expect(conf('xss', pad(' <svg onload=alert(1)> '), 'body.json.data')).toBeGreaterThanOrEqual(0.5);
    expect(conf('ssti', pad(" {{''.__class__.__mro__[1].__subclasses__()}} "), 'body.json.data')).toBeGreaterThanOrEqual(0.5);
  });
});

describe('crlf in body values', () => {
  it.each([
    ['x%0aSet-Cookie: sid=attacker', 'body.json.items.0.note'],
    ['x%0d%0aLocation: https://evil.example/', 'body.form.bio'],
    ['x%E5%98%8A%E5%98%8DX-Injected: 1', 'graphql.args.search.text'],
    ['a\u560a\u560dSet-Cookie: a=b', 'grpc.field.2.3'],
    ['%0d%0aContent-Length: 0%0d%0a%0d%0aHTTP/1.1 200 OK', 'body.xml.note'],
  ])('an encoded break before a response header is an injection: %s', (value, path) => {
    expect(conf('crlf', value, path)).toBeGreaterThanOrEqual(0.7);
  });

  it.each([
    ['Dear team,\r\nSet-Cookie: is what the server sends.\r\nThanks', 'body.form.message'],
    ['first line\nLocation: Berlin, second floor', 'body.json.note'],
    ['Notes%0AMeeting: Monday', 'body.json.note'],
  ])('a literal newline or a prose line stays low: %s', (value, path) => {
    expect(conf('crlf', value, path)).toBeLessThan(0.5);
  });

  it('does not read Latin letters whose low byte is CR/LF as a break (Czech č, Maltese Ċ)', () => {
    expect(conf('crlf', 'Počet: 5 kusů', 'query.q')).toBe(0);
    expect(conf('crlf', 'Ċitta: Valletta', 'query.q')).toBe(0);
  });
});

describe('ssrf', () => {
  it('sees a doubly URL-encoded internal URL', () => {
    const twice = encodeURIComponent(encodeURIComponent('http://169.254.169.254/latest/meta-data/'));
    expect(conf('ssrf', twice, 'body.json.url')).toBeGreaterThanOrEqual(0.5);
    expect(conf('ssrf', encodeURIComponent(encodeURIComponent('https://www.example.com/a?b=c')), 'body.json.url')).toBeLessThan(0.5);
  });
});

describe('open redirect in the path', () => {
  const get = (path: string): HttpRequest => ({ method: 'GET', path, query: '', headers: { host: 'a.example' } });

  it('flags a segment holding encoded separators that reads as an offsite URL', () => {
    const v = inspect(get(`/api/v1/files/${encodeURIComponent('////evil.example/%2f%2e%2e')}/download`));
    expect(v.types).toContain('open_redirect');
    expect(conf('open_redirect', '//evil.example/x', 'path.3')).toBeGreaterThanOrEqual(0.5);
  });

  it('flags a whole path that starts like a scheme-relative URL', () => {
    const v = inspect(get('//evil.example/%2f..'));
    expect(v.findings.some((f) => f.type === 'open_redirect' && f.point === 'path')).toBe(true);
  });

  it('leaves ordinary segments and paths alone', () => {
    expect(inspect(get('/music/AC%2FDC/albums')).types).not.toContain('open_redirect');
    expect(inspect(get('/static/img/logo.png')).attack).toBe(false);
  });
});

describe('false positives removed in this pass', () => {
  it('a scheme-relative asset URL in an image field is not a redirect', () => {
    expect(conf('open_redirect', '//d2z0twhaibasxg.cloudfront.net/images/close3.png', 'query.cd.buttonFeatures[json].imageUrl', { name: 'imageurl' })).toBeLessThan(0.5);
    expect(conf('open_redirect', '//evil.example', 'query.returnUrl', { name: 'returnurl' })).toBeGreaterThanOrEqual(0.5);
  });

  it('a program in a system directory named by telemetry is not a file read', () => {
    expect(conf('path_traversal', 'windows/system32/smartscreen.exe', 'body.json.process.path')).toBeLessThan(0.5);
    expect(conf('path_traversal', '../../windows/system32/drivers/etc/hosts', 'body.json.process.path')).toBeGreaterThanOrEqual(0.9);
    expect(conf('path_traversal', 'c:/windows/system32/config/sam', 'query.file')).toBeGreaterThanOrEqual(0.5);
  });

  it('JS-context findings in a transported program (bot-manager scripts) stay under the threshold', () => {
    const program = Array.from({ length: 12 }, (_, i) => `function f${i}(t){try{var o=t["shadowRoot"]["querySelector"]("#c${i}");return o&&o.id}catch(e){return null}};`).join('\n');
    expect(conf('xss', program, 'body.form.jsData[json].cfpfe[base64]', { encodings: ['json', 'base64'] })).toBeLessThan(0.5);
    expect(conf('xss', '";alert(document.cookie);//', 'body.form.comment')).toBeGreaterThanOrEqual(0.9);
    expect(conf('xss', `<script>${program}</script>`, 'body.form.comment')).toBeGreaterThanOrEqual(0.5);
  });
});

describe('cmdi arguments', () => {
  it.each(['; rm -rf /', 'x|rm -rf /', '&& rm -rf /home', '`rm -rf /*`'])('treats the root and top-level directories as system paths: %s', (v) => {
    expect(conf('cmdi', v, 'body.json.note')).toBeGreaterThanOrEqual(0.5);
  });

  it('leaves prose with slashes alone', () => {
    expect(conf('cmdi', 'see /tmp and / or /home for details', 'body.json.note')).toBeLessThan(0.5);
  });
});

describe('function source sent by fingerprinting scripts', () => {
  it('caps JS-context findings on a value that starts a function definition', () => {
    const src = 'function(){var t=document["querySelector"]("browserflow-container");t&&function n(){try{var o=t["shadowRoot"]["querySelector"]("browserflow-status");o';
    expect(conf('xss', src, 'body.form.jsData[json].cfpfe[base64]', { encodings: ['json', 'base64'] })).toBeLessThan(0.5);
    expect(conf('xss', '"];alert(1);//', 'body.form.jsData[json].cfpfe[base64]', { encodings: ['json', 'base64'] })).toBeGreaterThanOrEqual(0.5);
    expect(conf('xss', 'function(){}<img src=x onerror=alert(1)>', 'body.form.q')).toBeGreaterThanOrEqual(0.5);
  });
});
