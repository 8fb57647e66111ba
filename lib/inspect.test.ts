import { inspect, createInspector, FINDINGS_PER_TYPE } from './inspect';
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
