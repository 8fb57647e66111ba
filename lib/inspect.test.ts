import { inspect, createInspector, FINDINGS_PER_TYPE, setHeaderCache } from './inspect';
import { createDetectorInput, makePoint } from './detector-input';
import { CH } from './features';
import { DETECTORS } from './detectors';
import { DEFAULT_LIMITS, mergeLimits } from './limits';
import type { Detector, HttpRequest } from './types';

const needle = (type: Detector['type'], word: string, confidence: number, sources?: Detector['sources']): Detector => ({
  type,
  sources,
  detect: (input) => (input.decode('url', 'lower').includes(word) ? { type, confidence, detail: `${type}:${word}`, excerpt: input.point.value } : null),
});

const get = (query: string, headers: Record<string, string> = {}): HttpRequest => ({ method: 'GET', path: '/api/items', query, headers });

describe('inspect', () => {
  it('runs detectors over points and builds a verdict', () => {
    const v = inspect(get('q=EVIL&x=ok'), {}, { detectors: [needle('sqli', 'evil', 0.9)] });
    expect(v.attack).toBe(true);
    expect(v.types).toEqual(['sqli']);
    expect(v.findings).toEqual([{ type: 'sqli', confidence: 0.9, detail: 'sqli:evil', excerpt: 'EVIL', point: 'query.q', source: 'query' }]);
    expect(v.stats.points).toBe(4);
    expect(v.parse.bodyKind).toBe('none');
  });

  it('applies thresholds and enabled flags per type', () => {
    const d = [needle('sqli', 'evil', 0.6), needle('xss', 'evil', 0.6)];
    expect(inspect(get('q=evil'), { detectors: { sqli: { threshold: 0.7 } } }, { detectors: d }).types).toEqual(['xss']);
    expect(inspect(get('q=evil'), { detectors: { xss: { enabled: false } } }, { detectors: d }).types).toEqual(['sqli']);
    expect(inspect(get('q=evil'), {}, { detectors: [needle('sqli', 'evil', 0.4)] }).attack).toBe(false);
  });

  it('respects detector sources', () => {
    const d = [needle('scanner', 'sqlmap', 0.9, ['header'])];
    expect(inspect(get('q=sqlmap'), {}, { detectors: d }).attack).toBe(false);
    expect(inspect(get('', { 'user-agent': 'sqlmap/1.7' }), {}, { detectors: d }).findings[0].point).toBe('header.user-agent');
  });

  it('keeps the strongest few findings per type, ordered by ATTACK_TYPES', () => {
    const q = Array.from({ length: 10 }, (_, i) => `p${i}=evil`).join('&');
    const v = inspect(get(q), {}, { detectors: [needle('xss', 'evil', 0.8), needle('sqli', 'evil', 0.9)] });
    expect(v.types).toEqual(['sqli', 'xss']);
    expect(v.findings.filter((f) => f.type === 'xss')).toHaveLength(FINDINGS_PER_TYPE);
  });

  it('turns a throwing detector into a parse_error event', () => {
    const boom: Detector = { type: 'sqli', detect: () => { throw new Error('bug'); } };
    const v = inspect(get('q=1'), {}, { detectors: [boom, needle('xss', '1', 0.9)] });
    expect(v.types).toEqual(['xss']);
    expect(v.limits.some((l) => l.kind === 'parse_error' && l.detail.includes('bug'))).toBe(true);
  });

  it('never throws on garbage requests', () => {
    const weird = { method: 42, path: null, query: undefined, headers: { 'content-type': 5 }, body: Buffer.from([0xff, 0xfe]) } as unknown as HttpRequest;
    expect(() => inspect(weird)).not.toThrow();
  });

  it('reports the time budget instead of running past it', () => {
    const slow: Detector = { type: 'sqli', detect: () => { const t = Date.now(); while (Date.now() - t < 2); return null; } };
    const q = Array.from({ length: 200 }, (_, i) => `p${i}=v`).join('&');
    const v = inspect(get(q), { limits: { timeBudgetMs: 5 } }, { detectors: [slow] });
    expect(v.limits.some((l) => l.kind === 'budget_exhausted')).toBe(true);
    expect(v.stats.points).toBeLessThan(200);
  });

  it('createInspector binds a proto schema', () => {
    const insp = createInspector({ protoSource: 'syntax="proto3"; package p; message M { string note = 1; } service S { rpc Do(M) returns (M); }' });
    expect(insp.grpcSchema?.methods).toBe(1);
    const body = Buffer.concat([Buffer.from([0, 0, 0, 0, 6, 0x0a, 4]), Buffer.from('evil')]);
    const v = insp.inspect({ method: 'POST', path: '/p.S/Do', query: '', headers: { 'content-type': 'application/grpc' }, body });
    expect(v.parse.bodyKind).toBe('grpc');
  });

  it('does not call a detector on values without any of its trigger classes', () => {
    const seen: string[] = [];
    const spy: Detector = { type: 'xss', triggers: CH.LT, detect: (input) => (seen.push(input.point.value), null) };
    inspect(get('a=plain&b=%3Cb%3E&c=x<y'), {}, { detectors: [spy] });
    expect(seen.sort()).toEqual(['<b>', 'x<y']);
    // every registered trigger mask is exact: a detector never finds anything in a value without its classes
    for (const d of DETECTORS) if (d.triggers !== undefined) expect(d.detect(createDetectorInput(makePoint('plain words 42 _-,')))).toBeNull();
  });

  it('remembers header detections per value and still applies each route threshold', () => {
    let calls = 0;
    const counting: Detector = { type: 'scanner', detect: (input) => (calls++, input.point.value.includes('evil') ? { type: 'scanner', confidence: 0.6, detail: 'x', excerpt: input.point.value } : null) };
    const detectors = [counting];
    const req = get('', { 'user-agent': 'evil-bot/1.0', accept: 'text/html' });
    const first = inspect(req, {}, { detectors });
    const callsAfterFirst = calls;
    const second = inspect(req, {}, { detectors });
    expect(second.findings).toEqual(first.findings);
    expect(calls).toBe(callsAfterFirst + 2); // only the two path segments ran again
    expect(inspect(req, { detectors: { scanner: { threshold: 0.7 } } }, { detectors }).attack).toBe(false);
    setHeaderCache(false);
    try {
      const before = calls;
      inspect(req, {}, { detectors });
      expect(calls).toBeGreaterThan(before + 1);
    } finally {
      setHeaderCache(true);
    }
  });

  it('the registry holds one detector per type, none twice', () => {
    const types = DETECTORS.map((d) => d.type);
    expect(new Set(types).size).toBe(types.length);
  });
});

describe('limits', () => {
  it('merges, ignores junk and clamps', () => {
    expect(mergeLimits()).toEqual(DEFAULT_LIMITS);
    const m = mergeLimits({ maxPoints: 10, maxDepth: Number.NaN, maxPointBytes: 1, timeBudgetMs: 1e12 });
    expect(m.maxPoints).toBe(10);
    expect(m.maxDepth).toBe(DEFAULT_LIMITS.maxDepth);
    expect(m.maxPointBytes).toBe(64);
    expect(m.timeBudgetMs).toBe(10_000);
  });
});

describe('parameter pollution', () => {
  const get = (query: string): HttpRequest => ({ method: 'GET', path: '/search', query, headers: {} });

  it('finds an injection split across repeated parameters (ASP.NET joins them with commas)', () => {
    const split = inspect(get("q=1' union/*&q=*/select password from users--"));
    expect(split.types).toContain('sqli');
    expect(split.findings.find((f) => f.type === 'sqli')?.point).toBe('query.q[joined]');
  });

  it('reads no redirect or SSRF target into joined URLs', () => {
    const v = inspect(get('u=https://www.example.com&u=https://www.example.com/&next=/home&next=/account'));
    expect(v.attack).toBe(false);
  });
});
