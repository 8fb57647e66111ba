import { createDetectorInput, makePoint } from '../../detector-input';
import type { Point } from '../../types';
import { corpusAvailable, isCorpusNoise, readAttacks } from '../sqli/dev-corpus.test-helper';
import { mayBeNoSql, nosqliDetector } from './index';

const conf = (v: string, o: Partial<Point> = {}): number => nosqliDetector.detect(createDetectorInput(makePoint(v, o.path ?? 'query.q', o)))?.confidence ?? 0;
const key = (k: string): Partial<Point> => ({ isKey: true, path: `query.${k}` });

describe('nosqliDetector: operator injection', () => {
  it('flags operators in parameter names and JSON keys', () => {
    for (const k of ['user[$ne]', 'password[$regex]', 'login[$gt]', 'a[b][$nin]', 'filter[$where]']) expect({ k, c: conf(k, key(k)) >= 0.5 }).toEqual({ k, c: true });
    for (const k of ['$where', '$expr', '$function', '$accumulator', '$ne', '$gt', '$regex']) expect({ k, c: conf(k, key(k)) >= 0.5 }).toEqual({ k, c: true });
    expect(conf('$where', key('$where'))).toBeGreaterThanOrEqual(0.9);
  });
  it('flags operator objects inside string values, encoded too', () => {
    for (const v of ['{"$gt": ""}', '{"$ne": null}', '{ $ne: 1 }', "{$gt: ''}", '[$ne]=1', '{"username": {"$regex": "^adm"}}', '%7B%22%24gt%22%3A%22%22%7D', '{"\\u0024gt": ""}', "', $or: [ {}, { 'a':'a"]) {
      expect({ v, c: conf(v) >= 0.5 }).toEqual({ v, c: true });
    }
  });
  it('leaves JSON Schema, .NET type hints, filter DSLs, prices and templates alone', () => {
    for (const k of ['$schema', '$ref', '$type', '$id']) expect({ k, c: conf(k, key(k)) }).toEqual({ k, c: 0 });
    expect(conf('filters[price][$gt]', key('filters[price][$gt]'))).toBeLessThan(0.5);
    for (const v of ['price: $5', 'Total $gt 5', 'Use {$name} in templates', '{"a": "$100"}', '{"$push":1,"$start":2,"$beacon":false}']) {
      expect({ v, c: conf(v) < 0.5 }).toEqual({ v, c: true });
    }
  });
});

describe('nosqliDetector: server-side JavaScript', () => {
  it('flags $where breakouts, shell calls and delays', () => {
    const attacks = [
      "'; return true; var x='", "' || '1'=='1", "'; while(true){}; var x='", "' && this.password.match(/.*/)//", '1; return true',
      '"; return this.password.length > 0; var a="', "'||1==1//", "true, $where: '1 == 1'", 'db.users.find()', "';db.dropDatabase();'",
      "';it=new Date();do{pt=new Date();}while(pt-it<5000);", "'; sleep(5000); '", "\" || this.role == 'admin' || \"",
    ];
    for (const a of attacks) expect({ a, c: conf(a) >= 0.5 }).toEqual({ a, c: true });
  });
  it('leaves prose and ordinary code-ish values alone', () => {
    const benign = [
      'en-US,en;q=0.9', 'text/plain;charset=UTF-8', "It's a dog; return it tomorrow", 'Hi; return policy', "O'Brien && sons", 'return true',
      'this.props.value', 'a == b || c == d', 'db.example.com', 'mongodb://db.local/x', 'line1\nline2', 'var x = 5;', 'I sleep(8) hours', 'x=1; y=2',
    ];
    for (const b of benign) expect({ b, c: conf(b) < 0.5 }).toEqual({ b, c: true });
  });
});

describe('nosqliDetector: CouchDB and Redis', () => {
  it('flags CouchDB admin endpoints in forwarded values, only hints in paths', () => {
    expect(conf('/_all_docs?include_docs=true')).toBeGreaterThanOrEqual(0.5);
    expect(conf('../_config/admins')).toBeGreaterThanOrEqual(0.5);
    expect(conf('/db/_all_docs', { source: 'path', path: 'path.1' })).toBeLessThan(0.5);
    expect(conf('my_design/file')).toBe(0);
  });
  it('flags Redis commands and RESP framing after a line break', () => {
    expect(conf('x\r\nFLUSHALL\r\n')).toBeGreaterThanOrEqual(0.5);
    expect(conf('*1\r\n$8\r\nflushall\r\n')).toBeGreaterThanOrEqual(0.5);
    expect(conf('SET NAMES utf8')).toBe(0);
  });
});

describe('nosqliDetector: dev corpus', () => {
  const run = corpusAvailable() ? it : it.skip;
  run('detects the nosqli payloads', () => {
    const payloads = readAttacks('nosqli').filter((a) => !isCorpusNoise('nosqli', a.payload));
    const missed = payloads.filter((a) => conf(a.payload) < 0.5).map((a) => a.payload);
    // `{"&exists":false}` is a typo of $exists in the list: not an operator
    expect(missed).toEqual(['{"&exists":false}']);
  });
});

describe('nosqliDetector: false-positive pass', () => {
  it('does not take a whole browser function for a $where function', () => {
    const datadome = "function() {\nlet returnValue;\r\nconst scritpTc = document.getElementById('digitalData').textContent;\r\nconst parseScript = JSON.parse(scritpTc);\r\nif (pa";
    expect(conf(datadome)).toBeLessThan(0.5);
    expect(conf('function() { for (let i = 0; i < 3; i++) { f(i) } }')).toBeLessThan(0.5);
    // a $where function that returns a constant, reads the document or spins still counts
    for (const a of ['function() { return true }', 'function() { return this.a == 1 }', 'function() { while(true){} }']) expect({ a, c: conf(a) >= 0.5 }).toEqual({ a, c: true });
  });
  it('gates on the shared character mask', () => {
    expect(mayBeNoSql('Dana Smith')).toBe(false);
    expect(mayBeNoSql('x'.repeat(1000))).toBe(false);
    expect(mayBeNoSql('/_all_docs')).toBe(true);
    expect(mayBeNoSql('db.users.find()')).toBe(true);
    expect(mayBeNoSql('a;b')).toBe(true);
  });
});

describe('nosqliDetector: stages, the Function constructor and escaped encodings', () => {
  it('flags a whole update or aggregation stage written into a string value', () => {
    expect(conf('{"$lookup": {"from": "users", "localField": "a", "foreignField": "b", "as": "c"}}')).toBeGreaterThanOrEqual(0.5);
    expect(conf('{"$set": {"role": "admin"}}')).toBeGreaterThanOrEqual(0.5);
    expect(conf('[{"$unionWith": {"coll": "users"}}]')).toBeGreaterThanOrEqual(0.5);
    // a write operator with a scalar, or as text, stays a hint
    expect(conf('{"$set": "x"}')).toBeLessThan(0.5);
    expect(conf('use $set: {a: 1} to update')).toBeLessThan(0.5);
  });

  it('flags the Function constructor reached through constructor.constructor', () => {
    expect(conf("this.constructor.constructor('return process')().exit()")).toBeGreaterThanOrEqual(0.5);
    expect(conf('x.constructor["constructor"]("return this")()')).toBeGreaterThanOrEqual(0.5);
    expect(conf('the constructor of a class calls super()')).toBeLessThan(0.5);
    expect(conf('constructor.name')).toBe(0);
  });

  it('reads JS escapes over a URL-encoded payload', () => {
    const escaped = [..."'%20%26%26%20this.password.match(/.*/)//"].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
    expect(conf(escaped)).toBeGreaterThanOrEqual(0.5);
    expect(conf('\\u0025\\u0032\\u0030hello')).toBe(0);
  });
});
