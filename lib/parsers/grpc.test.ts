import * as zlib from 'node:zlib';
import { Root, Type, Field } from 'protobufjs';
import { parseProtoSource } from './proto-schema';
import { scanWire } from './protobuf';
import { parse, values } from './testing';

const PROTO = `syntax = "proto3"; package shop.v1;
message Address { string city = 1; }
message CreateUser { string name = 1; int32 age = 2; Address address = 3; repeated string tags = 4; bytes blob = 5; }
service Users { rpc Create(CreateUser) returns (CreateUser); }`;

function encode(obj: Record<string, unknown>): Uint8Array {
  const root = parseProtoSource(PROTO) && new Root();
  void root;
  const t = new Root().add(new Type('Address').add(new Field('city', 1, 'string')))
    .add(new Type('CreateUser').add(new Field('name', 1, 'string')).add(new Field('age', 2, 'int32')).add(new Field('address', 3, 'Address'))
      .add(new Field('tags', 4, 'string', 'repeated')).add(new Field('blob', 5, 'bytes')));
  const type = t.lookupType('CreateUser');
  return type.encode(type.fromObject(obj)).finish();
}

function frame(msg: Uint8Array, flags = 0): Buffer {
  const h = Buffer.alloc(5);
  h[0] = flags;
  h.writeUInt32BE(msg.length, 1);
  return Buffer.concat([h, Buffer.from(msg)]);
}

const message = { name: "o'brien; id", age: 3, address: { city: '../etc/passwd' }, tags: ['a', 'b'], blob: Buffer.from([0, 1, 2, 255]) };

describe('gRPC parser', () => {
  it('decodes schema-less by field numbers', () => {
    const r = parse({ method: 'POST', path: '/shop.v1.Users/Create', headers: { 'content-type': 'application/grpc' }, body: frame(encode(message)) });
    const v = values(r.points);
    expect(v['grpc.field.1']).toBe("o'brien; id");
    expect(v['grpc.field.3.1']).toBe('../etc/passwd');
    expect(r.points.filter((p) => p.path === 'grpc.field.4').map((p) => p.value)).toEqual(['a', 'b']);
    expect(r.parse.bodyKind).toBe('grpc');
    expect(r.points.every((p) => p.source === 'grpc' || p.source === 'path')).toBe(true);
  });

  it('names fields with a loaded schema', () => {
    const schema = parseProtoSource(PROTO);
    const r = parse({ method: 'POST', path: '/shop.v1.Users/Create', headers: { 'content-type': 'application/grpc+proto' }, body: frame(encode(message)) }, {}, schema);
    const v = values(r.points);
    expect(v['grpc.field.name']).toBe("o'brien; id");
    expect(v['grpc.field.address.city']).toBe('../etc/passwd');
    expect(r.points.find((p) => p.path === 'grpc.field.name')?.name).toBe('name');
  });

  it('handles compressed frames, grpc-web trailers and grpc-web-text', () => {
    const gz = frame(zlib.gzipSync(encode({ name: 'zipped' })), 1);
    const r = parse({ method: 'POST', path: '/a.B/C', headers: { 'content-type': 'application/grpc', 'grpc-encoding': 'gzip' }, body: gz });
    expect(values(r.points)['grpc.field.1']).toBe('zipped');
    const web = Buffer.concat([frame(encode({ name: 'w' })), frame(Buffer.from('grpc-status:0\r\n'), 0x80)]);
    const text = Buffer.from(web.toString('base64'));
    const t = parse({ method: 'POST', path: '/a.B/C', headers: { 'content-type': 'application/grpc-web-text' }, body: text });
    expect(values(t.points)['grpc.field.1']).toBe('w');
    expect(t.parse.bodyKind).toBe('grpc-web');
  });

  it('reports truncated frames and non-protobuf messages without throwing', () => {
    const bad = Buffer.concat([Buffer.from([0, 0, 0, 0, 50]), Buffer.from('\xff\xff\xff hello world payload', 'latin1')]);
    const r = parse({ method: 'POST', path: '/a.B/C', headers: { 'content-type': 'application/grpc' }, body: bad });
    expect(r.limits.filter((l) => l.kind === 'parse_error').length).toBeGreaterThan(0);
    expect(r.points.some((p) => p.value.includes('hello world'))).toBe(true);
  });

  it('scanWire rejects malformed wire data', () => {
    expect(scanWire(Uint8Array.from([0x0a, 0x05, 0x61]))).toBeNull();
    expect(scanWire(Uint8Array.from([0x0b]))).toBeNull();
    expect(scanWire(Uint8Array.from([0x08, 0x96, 0x01]))).toEqual([{ num: 1, wire: 0, start: 1, end: 3 }]);
  });
});

describe('content encoding', () => {
  it('inflates gzip bodies', () => {
    const r = parse({ method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: zlib.gzipSync('{"a":"b"}') });
    expect(values(r.points)).toEqual({ 'body.json.a': 'b' });
  });

  it('caps zip bombs and inspects the start', () => {
    const bomb = zlib.gzipSync(Buffer.from('x=' + 'A'.repeat(5_000_000)));
    const r = parse({ method: 'POST', headers: { 'content-type': 'text/plain', 'content-encoding': 'gzip' }, body: bomb }, { maxBodyBytes: 100_000, maxPoints: 5 });
    expect(r.limits.some((l) => l.kind === 'body_truncated')).toBe(true);
    expect(r.points.length).toBeGreaterThan(0);
    expect(r.bytes).toBeLessThanOrEqual(5 * 4096);
  });

  it('reports corrupt compressed bodies', () => {
    const r = parse({ method: 'POST', headers: { 'content-encoding': 'gzip' }, bodyText: 'not gzip' });
    expect(r.limits.map((l) => l.kind)).toContain('parse_error');
  });
});
