import fc from 'fast-check';
import { mergeLimits } from '../limits';
import type { HttpRequest } from '../types';
import { parseRequest } from './request';
import { parseProtoSource } from './proto-schema';

/** Property tests: arbitrary and malformed input never throws and the work stays bounded (counted, not timed). */
const LIMITS = mergeLimits({ maxPoints: 200, maxPointBytes: 256, maxBodyBytes: 8192, maxDepth: 8, timeBudgetMs: 10_000 });
const SCHEMA = parseProtoSource('syntax="proto3"; package p; message M { string a = 1; M child = 2; repeated string b = 3; } service S { rpc Do(M) returns (M); }');

const CONTENT_TYPES = [
  'application/json', 'application/xml', 'application/soap+xml', 'multipart/form-data; boundary=b', 'multipart/form-data',
  'application/x-www-form-urlencoded', 'application/graphql', 'application/grpc', 'application/grpc-web-text',
  'application/grpc-web+proto', 'application/x-protobuf', 'text/plain', '', 'application/x-ndjson',
];

function checkBounded(req: HttpRequest): void {
  const r = parseRequest(req, LIMITS, { grpcSchema: SCHEMA });
  expect(r.points.length).toBeLessThanOrEqual(LIMITS.maxPoints);
  for (const p of r.points) expect(p.value.length).toBeLessThanOrEqual(LIMITS.maxPointBytes);
  expect(r.bytes).toBeLessThanOrEqual(LIMITS.maxPoints * LIMITS.maxPointBytes);
  expect(r.limits.length).toBeLessThanOrEqual(32);
}

const structured = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, fc.string(), fc.integer(), fc.constant(null), fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(fc.string({ maxLength: 6 }), tie('value'), { maxKeys: 4 })),
})).value;

describe('parser fuzzing', () => {
  it('random bytes under every content type', () => {
    fc.assert(
      fc.property(fc.constantFrom(...CONTENT_TYPES), fc.uint8Array({ maxLength: 2048 }), fc.constantFrom('', 'gzip', 'deflate', 'br'), (ct, body, enc) => {
        checkBounded({ method: 'POST', path: '/p.S/Do', query: '', headers: { 'content-type': ct, 'content-encoding': enc, 'grpc-encoding': 'gzip' }, body });
      }),
      { numRuns: 300 },
    );
  });

  it('mutated structured bodies (JSON, XML, GraphQL, multipart)', () => {
    const docs = fc.oneof(
      structured.map((v) => ['application/json', JSON.stringify(v)] as const),
      fc.array(fc.constantFrom('<a>', '</a>', '<b x="1">', '<!DOCTYPE d [<!ENTITY e "x">]>', '<![CDATA[', ']]>', '&e;', 'text', '<?pi x?>', '<!--', '-->', '"', '<'), { maxLength: 40 })
        .map((parts) => ['application/xml', parts.join('')] as const),
      fc.array(fc.constantFrom('{', '}', '(', ')', 'a', ':', '"s"', '$v', '...F', 'fragment F on T', '@d', '[', ']', 'query', ' '), { maxLength: 60 })
        .map((parts) => ['application/graphql', parts.join('')] as const),
      fc.array(fc.constantFrom('--b\r\n', 'Content-Disposition: form-data; name="x"; filename="f"\r\n', '\r\n', 'data', '--b--', 'Content-Type: application/json\r\n', '{"a":'), { maxLength: 30 })
        .map((parts) => ['multipart/form-data; boundary=b', parts.join('')] as const),
    );
    fc.assert(
      fc.property(docs, fc.nat(40), ([ct, text], cut) => {
        const body = Buffer.from(text.slice(0, Math.max(0, text.length - cut)));
        checkBounded({ method: 'POST', path: '/graphql', query: '', headers: { 'content-type': ct }, body });
      }),
      { numRuns: 300 },
    );
  });

  it('invalid UTF-8 and odd strings in path, query, headers and cookies', () => {
    const junk = fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('latin1'));
    fc.assert(
      fc.property(junk, junk, junk, fc.string({ maxLength: 200 }), (p, q, h, s) => {
        checkBounded({ method: s.slice(0, 8), path: `/${p}`, query: `${q}&${s}=${p}`, headers: { cookie: `${s}=${h}; a=${q}`, 'x-a': h, authorization: `Bearer ${s}` } });
      }),
      { numRuns: 300 },
    );
  });

  it('deep nesting of every kind stays bounded', () => {
    for (const depth of [100, 5000, 50_000]) {
      checkBounded({ method: 'POST', path: '/', query: '', headers: { 'content-type': 'application/json' }, body: Buffer.from('['.repeat(depth) + '"x"' + ']'.repeat(depth)) });
      checkBounded({ method: 'POST', path: '/', query: '', headers: { 'content-type': 'application/json' }, body: Buffer.from('{"a":'.repeat(depth)) });
      checkBounded({ method: 'POST', path: '/', query: '', headers: { 'content-type': 'application/xml' }, body: Buffer.from('<a>'.repeat(depth)) });
      checkBounded({ method: 'POST', path: '/graphql', query: '', headers: { 'content-type': 'application/graphql' }, body: Buffer.from('{a'.repeat(depth) + '}'.repeat(depth)) });
      let msg = Buffer.from([0x0a, 1, 0x41]);
      for (let i = 0; i < Math.min(depth, 2000); i++) msg = Buffer.concat([Buffer.from([0x12]), encodeVarint(msg.length), msg]);
      const frame = Buffer.concat([Buffer.from([0]), u32(msg.length), msg]);
      checkBounded({ method: 'POST', path: '/p.S/Do', query: '', headers: { 'content-type': 'application/grpc' }, body: frame });
    }
  });
});

function encodeVarint(n: number): Buffer {
  const out: number[] = [];
  let v = n;
  while (v >= 128) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Buffer.from(out);
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}
