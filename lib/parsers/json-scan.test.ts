import { mergeLimits } from '../limits';
import { ParseContext } from './context';
import { walkJson } from './json';
import { addScannedJson, scanJson } from './json-scan';

/** Deterministic PRNG (the fuzz cases are the same on every run). */
function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

const KEYS = ['id', 'name', 'user name', '$where', 'a.b', '', '0', '12', '__proto__', 'é', 'q"uote', 'new\nline'];
const STRINGS = ['', 'plain', "o'reilly", '<script>', 'a\\b', 'tab\there', 'ünïcödé', '\u2028', '\ud800', 'emoji 😀', '"quoted"', '/slash/'];

function randomValue(r: () => number, depth: number, usedKeys = new Set<string>()): unknown {
  const k = r();
  if (depth > 4 || k < 0.35) return STRINGS[Math.floor(r() * STRINGS.length)];
  if (k < 0.45) return Math.floor(r() * 2000) - 1000 + (r() < 0.3 ? 0.25 : 0);
  if (k < 0.5) return [true, false, null][Math.floor(r() * 3)];
  if (k < 0.75) return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1));
  const o: Record<string, unknown> = {};
  usedKeys.clear();
  for (let i = Math.floor(r() * 4); i > 0; i--) {
    const key = KEYS[Math.floor(r() * KEYS.length)];
    if (key === '__proto__') continue; // an object literal would set the prototype instead of a member
    o[key] = randomValue(r, depth + 1);
  }
  return o;
}

function viaWalk(text: string, maxDepth: number): string[] {
  const ctx = new ParseContext(mergeLimits({ maxDepth, maxPoints: 100_000, timeBudgetMs: 10_000 }));
  walkJson(ctx, JSON.parse(text) as unknown, 'body.json', 'body');
  return [...ctx.points.map((p) => `${p.path}|${p.isKey}|${p.name}|${p.value}`), ...ctx.events.map((e) => `${e.kind}@${e.point}`)].sort();
}

function viaScan(text: string, maxDepth: number): string[] | null {
  const scan = scanJson(text, 'body.json', maxDepth);
  if (scan === null) return null;
  const ctx = new ParseContext(mergeLimits({ maxDepth, maxPoints: 100_000, timeBudgetMs: 10_000 }));
  addScannedJson(ctx, scan, 'body');
  return [...ctx.points.map((p) => `${p.path}|${p.isKey}|${p.name}|${p.value}`), ...ctx.events.map((e) => `${e.kind}@${e.point}`)].sort();
}

function validJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

describe('scanJson', () => {
  it('yields the points walkJson yields, for random documents', () => {
    const r = rng(11);
    for (let i = 0; i < 3000; i++) {
      const text = JSON.stringify(randomValue(r, 0), null, r() < 0.5 ? 0 : 2);
      expect({ text, points: viaScan(text, 3) }).toEqual({ text, points: viaWalk(text, 3) });
    }
  });

  it('accepts and rejects exactly what JSON.parse does, for mutated documents', () => {
    const r = rng(5);
    const junk = ['', ' ', ',', ':', '"', '\\', '{', '}', '[', ']', '0', '-', '.', 'e', 'tru', 'nul', '\u0001', '\\u12', '\\x'];
    let invalid = 0;
    for (let i = 0; i < 6000; i++) {
      const base = JSON.stringify(randomValue(r, 0));
      const at = Math.floor(r() * (base.length + 1));
      const cut = Math.floor(r() * 3);
      const text = base.slice(0, at) + junk[Math.floor(r() * junk.length)] + base.slice(at + cut);
      const ok = validJson(text);
      if (!ok) invalid += 1;
      expect({ text, valid: scanJson(text, 'body.json', 8) !== null }).toEqual({ text, valid: ok });
    }
    expect(invalid).toBeGreaterThan(1000);
  });

  it('checks numbers and literals strictly', () => {
    for (const t of ['01', '1.', '.5', '-', '1e', '1e+', '+1', 'True', 'nulls', '"\\u00g0"', '"a\nb"', '[1,]', '{"a":1,}', '{"a" 1}', '{1:2}', '\ufeff{}']) {
      expect({ t, ok: scanJson(t, 'x', 8) !== null }).toEqual({ t, ok: false });
    }
    for (const t of ['0', '-0.5e-3', '1E+9', 'true', 'null', '"\\u00e9\\n\\/"', '[]', '{}', ' [ 1 , {"a" : [ ] } ] ']) {
      expect({ t, ok: scanJson(t, 'x', 8) !== null }).toEqual({ t, ok: true });
    }
  });

  it('rejects raw controls in values and keys, before, after and between escapes, as JSON.parse does', () => {
    const raws = ['\u0000', '\u0001', '\u001f', '\n', '\r', '\t', '\u007f', '\u0080'];
    const shapes = (c: string): string[] => [
      `{"k":"a${c}b"}`, `{"k":"${c}"}`, `{"k":"\\n${c}"}`, `{"k":"${c}\\n"}`, `{"k":"x\\"${c}\\"y"}`,
      `{"a${c}b":1}`, `{"${c}":1}`, `{"\\n${c}":1}`, `{"${c}\\u0041":1}`, `["${c}"]`, `[1,"ok","${c}x"]`,
    ];
    for (const c of raws) {
      for (const text of shapes(c)) expect({ text, valid: scanJson(text, 'b', 8) !== null }).toEqual({ text, valid: validJson(text) });
    }
    // outside strings only JSON white space is allowed
    for (const text of ['{"a":1,\u0001"b":2}', '[1\u000b]', '\t[ 1,\r\n2 ]\n']) expect({ text, valid: scanJson(text, 'b', 8) !== null }).toEqual({ text, valid: validJson(text) });
  });

  it('inspects every member when a key repeats (back ends disagree on which one wins)', () => {
    const scan = scanJson('{"role":"user","role":"admin\' OR 1=1--"}', 'body.json', 8);
    expect(scan?.strings.map((s) => s.value)).toEqual(['user', "admin' OR 1=1--"]);
  });

  it('flags a top-level `query` member (maybe GraphQL), also in a batch', () => {
    expect(scanJson('{"query":"{ a }"}', 'b', 8)?.queryKey).toBe(true);
    expect(scanJson('[{"query":"{ a }"}]', 'b', 8)?.queryKey).toBe(true);
    expect(scanJson('{"q":"x"}', 'b', 8)?.queryKey).toBe(false);
  });

  it('stops at a `query` member when asked (the caller parses the document as GraphQL)', () => {
    const scan = scanJson('{"a":"x","query":"{ a }","b":"y"', 'b', 8, undefined, true);
    expect(scan?.queryKey).toBe(true);
    expect(scan?.strings.map((s) => s.value)).toEqual(['x']);
    expect(scanJson('{"a":"x","query":"{ a }","b":"y"', 'b', 8)).toBeNull();
  });

  it('handles 100k-deep nesting without recursion', () => {
    const text = '['.repeat(100_000) + '"deep"' + ']'.repeat(100_000);
    const scan = scanJson(text, 'body.json', 32);
    expect(scan?.strings).toHaveLength(1);
    expect(scan?.cappedAt).not.toBeNull();
  });
});
