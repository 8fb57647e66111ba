/**
 * Detection eval: `npm run eval [-- --types sqli,xss] [--limit 150] [--benign 6000] [--browsing N] [--no-docs] [--json]`.
 *
 * Attacks: the dev corpus (noise-filtered, see spec/corpus/dev-attacks.ts) plus generated cases
 * (spec/corpus/generated-attacks.ts). Per type at most `--limit` dev payloads and `--limit` generated
 * ones are sampled (seeded, so runs are comparable); every sampled payload is placed plain into every
 * placement, and once per extra encoding into a rotating placement. Benign: every request of the
 * browsing corpus plus `--benign` generated API requests. A request counts as detected/false-positive
 * when the verdict says `attack` (any type); the right-type rate is shown beside it (ALTERNATE_TYPES lists
 * the types that also count as right for a list's payloads).
 */
import * as fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { inspect } from '../../lib/inspect';
import { DEFAULT_LIMITS } from '../../lib/limits';
import { DETECTORS } from '../../lib/detectors';
import { ATTACK_TYPES, type AttackType, type HttpRequest, type Verdict } from '../../lib/types';
import { generateBenignApi } from '../corpus/benign-api';
import { loadBenignBrowsing } from '../corpus/benign-browsing';
import { loadDocsProse } from '../corpus/benign-docs';
import { loadDevAttacks, SHARED_CORPUS, type AttackCase } from '../corpus/dev-attacks';
import { generatedAttacks } from '../corpus/generated-attacks';
import { encodePayload, encodingsFor, placementsFor, placeValue, PLACEMENTS, type Encoding, type Placement } from '../corpus/placements';
import { Rng } from '../corpus/rng';

/**
 * Types that also count as the right type for a payload of a list: the payload legitimately belongs to
 * both. The command-injection (rce) lists carry code execution through any interpreter — template
 * expressions (`{{7*7}}`, `${T(java.lang.Runtime)…}`), Log4j lookups and shellshock function definitions;
 * `javascript:` targets in the open-redirect lists are script URLs (xss); a split response carrying
 * `<script>` is also xss; client-side template injection (`{{constructor.constructor(…)()}}`) is xss too;
 * an SSTI gadget that runs `os.popen('id')` is command execution; `file://` and `gopher://` targets are
 * both SSRF and file reads; NoSQL `$where` JavaScript is code injection.
 */
export const ALTERNATE_TYPES: Readonly<Partial<Record<AttackType, readonly AttackType[]>>> = {
  cmdi: ['ssti', 'log4shell', 'shellshock'],
  open_redirect: ['xss'],
  crlf: ['xss'],
  ssti: ['xss', 'cmdi'],
  ssrf: ['path_traversal', 'xxe'],
  nosqli: ['cmdi'],
};

export function isRightType(type: AttackType, found: readonly AttackType[]): boolean {
  return found.includes(type) || (ALTERNATE_TYPES[type] ?? []).some((t) => found.includes(t));
}

export const TARGET_DETECTION = 0.99;
export const TARGET_FP = 0.003;

interface Args {
  types: AttackType[];
  limit: number;
  benign: number;
  browsing: number;
  json: boolean;
  seed: number;
  /** Run the informational developer-docs prose set (`--no-docs` skips it). */
  docs: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { types: [...ATTACK_TYPES], limit: 150, benign: 6000, browsing: Infinity, json: false, seed: 7, docs: true };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = argv[i + 1];
    if (k === '--json') a.json = true;
    else if (k === '--no-docs') a.docs = false;
    else if (k === '--types' && v) {
      a.types = v.split(',').map((s) => s.trim()).filter((s): s is AttackType => (ATTACK_TYPES as readonly string[]).includes(s));
      i++;
    } else if (k === '--limit' && v) (a.limit = Number(v)), i++;
    else if (k === '--benign' && v) (a.benign = Number(v)), i++;
    else if (k === '--browsing' && v) (a.browsing = Number(v)), i++;
    else if (k === '--seed' && v) (a.seed = Number(v)), i++;
  }
  return a;
}

class Rate {
  hit = 0;
  total = 0;
  add(ok: boolean): void {
    this.total += 1;
    if (ok) this.hit += 1;
  }
  get value(): number {
    return this.total === 0 ? NaN : this.hit / this.total;
  }
}

function pct(r: Rate | number, digits = 1): string {
  const v = typeof r === 'number' ? r : r.value;
  return Number.isNaN(v) ? '   -' : `${(v * 100).toFixed(digits)}`;
}

interface Miss {
  type: AttackType;
  payload: string;
  placement: string;
  encoding: string;
}

interface FpDetail {
  count: number;
  example: string;
  request: string;
}

export interface EvalResult {
  detection: number;
  rightType: number;
  falsePositiveRate: number;
  balancedAccuracy: number;
  attacksRequests: number;
  benignRequests: number;
  perType: Record<string, { detection: number; rightType: number; requests: number; placements: Record<string, number>; encodings: Record<string, number> }>;
  benign: Record<string, { fp: number; requests: number }>;
  topFalsePositives: { key: string; count: number; example: string; request: string }[];
  /** Developer-docs prose (informational, not in falsePositiveRate): share flagged and the top findings. */
  docsProse: { flagged: number; requests: number; top: { key: string; count: number; example: string; request: string }[] };
  missed: Miss[];
  filter: { kept: number; dropped: Record<string, number> };
  detectorsLoaded: string[];
  meanInspectUs: number;
  /** Slowest single inspection, and how many took longer than the library's default budget. */
  slowestInspectUs: number;
  overDefaultBudget: number;
  targetsMet: boolean;
}

/**
 * The eval measures what the detectors find, not how a loaded machine meets the 25 ms budget: it
 * inspects with a 2 s budget so that a CI neighbour cannot turn a detection into `budget_exhausted`
 * from one run to the next. The slowest request and any budget event are printed; the bench checks the
 * budget itself (`npm run bench`, worst cases).
 */
const EVAL_OPTIONS = { limits: { timeBudgetMs: 2000 } };

function safeInspect(req: HttpRequest): Verdict {
  return inspect(req, EVAL_OPTIONS);
}

/** Counts one finding under `key`, keeping the first example of it. */
function tally(details: Map<string, FpDetail>, key: string, excerpt: string, label: string): void {
  const d = details.get(key) ?? { count: 0, example: excerpt.slice(0, 100), request: label.slice(0, 100) };
  d.count += 1;
  details.set(key, d);
}

export function runEval(args: Args): EvalResult {
  const rng = new Rng(args.seed);
  const t0 = performance.now();
  let inspectUs = 0;
  let inspections = 0;
  let slowestUs = 0;
  let overDefaultBudget = 0;
  const timed = (req: HttpRequest): Verdict => {
    const s = performance.now();
    const v = safeInspect(req);
    const us = (performance.now() - s) * 1000;
    inspectUs += us;
    inspections += 1;
    if (us > slowestUs) slowestUs = us;
    if (us > DEFAULT_LIMITS.timeBudgetMs * 1000) overDefaultBudget += 1;
    return v;
  };

  // --- attacks
  const haveCorpus = fs.existsSync(`${SHARED_CORPUS}/attacks-dev.jsonl.gz`);
  const dev = haveCorpus ? loadDevAttacks() : { cases: [], report: { kept: 0, dropped: { 'corpus-missing': 1 } } };
  const gen = generatedAttacks();
  const byType = new Map<AttackType, AttackCase[]>();
  for (const t of args.types) {
    const d = rng.sample(dev.cases.filter((c) => c.type === t), args.limit);
    const g = rng.sample(gen.filter((c) => c.type === t), args.limit);
    byType.set(t, [...d, ...g]);
  }
  const total = new Rate();
  const totalRight = new Rate();
  const perType: EvalResult['perType'] = {};
  const missed: Miss[] = [];
  for (const [type, cases] of byType) {
    if (cases.length === 0) continue;
    const det = new Rate();
    const right = new Rate();
    const byPlacement = new Map<string, Rate>();
    const byEncoding = new Map<string, Rate>();
    const placements = placementsFor(type);
    const encodings = encodingsFor(type).filter((e) => e !== 'plain');
    const run = (c: AttackCase, placement: Placement, enc: Encoding): void => {
      const v = timed(placeValue(encodePayload(c.payload, enc), placement, type));
      const ok = v.attack;
      det.add(ok);
      const rightType = isRightType(type, v.types);
      right.add(rightType);
      total.add(ok);
      totalRight.add(rightType);
      if (enc === 'plain') {
        const r = byPlacement.get(placement) ?? new Rate();
        r.add(ok);
        byPlacement.set(placement, r);
      }
      const e = byEncoding.get(enc) ?? new Rate();
      e.add(ok);
      byEncoding.set(enc, e);
      if (!ok && missed.filter((m) => m.type === type).length < 12) missed.push({ type, payload: c.payload.slice(0, 140), placement, encoding: enc });
    };
    cases.forEach((c, i) => {
      for (const p of placements) run(c, p, 'plain');
      encodings.forEach((enc, k) => run(c, placements[(i + k) % placements.length], enc));
    });
    perType[type] = {
      detection: det.value,
      rightType: right.value,
      requests: det.total,
      placements: Object.fromEntries([...byPlacement].map(([k, r]) => [k, r.value])),
      encodings: Object.fromEntries([...byEncoding].map(([k, r]) => [k, r.value])),
    };
  }

  // --- benign
  const benignRates: Record<string, Rate> = {};
  const fpDetails = new Map<string, FpDetail>();
  const fpTotal = new Rate();
  const judge = (group: string, request: HttpRequest, label: string): void => {
    const v = timed(request);
    (benignRates[group] ??= new Rate()).add(v.attack);
    fpTotal.add(v.attack);
    for (const f of v.findings) {
      const point = f.point.replace(/\.\d+(?=\.|$|\[)/g, '.N');
      tally(fpDetails, `${f.type} ${f.detail} @ ${point}`, f.excerpt, label);
    }
  };
  const browsingFile = `${SHARED_CORPUS}/benign-browsing-dev.jsonl.gz`;
  if (fs.existsSync(browsingFile)) {
    const all = loadBenignBrowsing(browsingFile);
    const sample = Number.isFinite(args.browsing) ? rng.sample(all, args.browsing) : all;
    for (const b of sample) judge('browsing-dev', b.request, b.label);
  }
  for (const b of generateBenignApi(args.benign, args.seed)) judge(`gen:${b.label}`, b.request, b.label);
  // informational: not in the FP rate (see spec/corpus/benign-docs.ts)
  const docs = new Rate();
  const docsFindings = new Map<string, FpDetail>();
  for (const b of args.docs ? loadDocsProse() : []) {
    const v = timed(b.request);
    docs.add(v.attack);
    if (!v.attack) continue;
    const f = v.findings[0];
    tally(docsFindings, `${f.type} ${f.detail}`, f.excerpt, b.label);
  }

  const detection = total.value;
  const fp = fpTotal.value;
  const balanced = ((Number.isNaN(detection) ? 0 : detection) + (Number.isNaN(fp) ? 1 : 1 - fp)) / 2;
  const top = [...fpDetails].sort((a, b) => b[1].count - a[1].count).slice(0, 25).map(([key, d]) => ({ key, ...d }));
  void t0;
  return {
    detection,
    rightType: totalRight.value,
    falsePositiveRate: fp,
    balancedAccuracy: balanced,
    attacksRequests: total.total,
    benignRequests: fpTotal.total,
    perType,
    benign: Object.fromEntries(Object.entries(benignRates).map(([k, r]) => [k, { fp: r.value, requests: r.total }])),
    topFalsePositives: top,
    docsProse: { flagged: docs.value, requests: docs.total, top: [...docsFindings].sort((a, b) => b[1].count - a[1].count).slice(0, 10).map(([key, d]) => ({ key, ...d })) },
    missed,
    filter: dev.report,
    detectorsLoaded: DETECTORS.map((d) => d.type),
    meanInspectUs: inspections === 0 ? 0 : inspectUs / inspections,
    slowestInspectUs: slowestUs,
    overDefaultBudget,
    targetsMet: detection >= TARGET_DETECTION && fp <= TARGET_FP,
  };
}

const SHORT: Record<Placement, string> = {
  query: 'query', path: 'path', header: 'headr', cookie: 'cooki', json: 'json', form: 'form', multipart: 'mpart', filename: 'fname',
  xml: 'xml', gql_arg: 'gqArg', gql_var: 'gqVar', grpc: 'grpc', xml_body: 'xmlBd',
};

function printReport(r: EvalResult, seconds: number): void {
  const out: string[] = [];
  out.push(`detectors loaded (${r.detectorsLoaded.length}/14): ${r.detectorsLoaded.join(', ')}`);
  const missing = ATTACK_TYPES.filter((t) => !r.detectorsLoaded.includes(t));
  if (missing.length > 0) out.push(`MISSING detectors: ${missing.join(', ')}`);
  out.push(`dev corpus filter: kept ${r.filter.kept}, dropped ${Object.entries(r.filter.dropped).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  out.push('');
  out.push('Detection % per type × placement (plain payloads), per encoding, total, right type');
  const encs = ['url', 'double_url', 'base64', 'js_unicode', 'html'];
  out.push(['type'.padEnd(15), ...PLACEMENTS.map((p) => SHORT[p].padStart(6)), '|', ...encs.map((e) => e.slice(0, 6).padStart(6)), '|', 'total'.padStart(6), 'right'.padStart(6), 'reqs'.padStart(7)].join(' '));
  for (const [type, t] of Object.entries(r.perType)) {
    out.push([
      type.padEnd(15),
      ...PLACEMENTS.map((p) => (t.placements[p] === undefined ? '-' : pct(t.placements[p])).padStart(6)),
      '|',
      ...encs.map((e) => (t.encodings[e] === undefined ? '-' : pct(t.encodings[e])).padStart(6)),
      '|',
      pct(t.detection).padStart(6),
      pct(t.rightType).padStart(6),
      String(t.requests).padStart(7),
    ].join(' '));
  }
  out.push('');
  out.push('False positives (requests flagged) per benign group:');
  for (const [g, b] of Object.entries(r.benign)) out.push(`  ${g.padEnd(24)} ${pct(b.fp, 2).padStart(6)} %  of ${b.requests}`);
  out.push('');
  out.push('Top false-positive findings (type detail @ point: count — excerpt | request):');
  for (const f of r.topFalsePositives) out.push(`  ${String(f.count).padStart(5)}  ${f.key}  — ${JSON.stringify(f.example)} | ${f.request}`);
  out.push('');
  if (r.docsProse.requests > 0) {
    out.push(`Developer-docs prose (informational, not in the FP rate; spec/corpus/benign-docs.ts): ${pct(r.docsProse.flagged, 2)} % flagged of ${r.docsProse.requests} paragraphs`);
    for (const f of r.docsProse.top) out.push(`  ${String(f.count).padStart(5)}  ${f.key}  — ${JSON.stringify(f.example)} | ${f.request}`);
    out.push('');
  }
  out.push('Missed attacks (examples, up to 12 per type):');
  for (const m of r.missed) out.push(`  ${m.type.padEnd(14)} ${m.placement.padEnd(9)} ${m.encoding.padEnd(10)} ${JSON.stringify(m.payload)}`);
  out.push('');
  out.push(`attack requests ${r.attacksRequests}, benign requests ${r.benignRequests}, mean inspect ${r.meanInspectUs.toFixed(1)} µs, slowest ${(r.slowestInspectUs / 1000).toFixed(1)} ms (${r.overDefaultBudget} over the default ${DEFAULT_LIMITS.timeBudgetMs} ms budget), ${seconds.toFixed(1)} s`);
  out.push(`DETECTION ${pct(r.detection, 2)} % (right type ${pct(r.rightType, 2)} %)   FALSE POSITIVES ${pct(r.falsePositiveRate, 3)} %   BALANCED ACCURACY ${pct(r.balancedAccuracy, 2)} %`);
  out.push(`targets (detection >= ${TARGET_DETECTION * 100} %, FP <= ${TARGET_FP * 100} %): ${r.targetsMet ? 'MET' : 'NOT MET'}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

if (require.main === module) {
  const args = parseArgs(process.argv.slice(2));
  const start = performance.now();
  const result = runEval(args);
  if (args.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else printReport(result, (performance.now() - start) / 1000);
}
