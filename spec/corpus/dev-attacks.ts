import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import type { AttackType } from '../../lib/types';

export const SHARED_CORPUS = process.env.KAS_CORPUS_DIR ?? '/work/shared/corpus';

export interface AttackCase {
  type: AttackType;
  payload: string;
  /** Where it came from: a dev-corpus list or `generated:<family>`. */
  source: string;
}

export interface FilterReport {
  kept: number;
  dropped: Record<string, number>;
}

/** Corpus labels → our attack types (lfi is path traversal to a file; the rce lists are OS command injection). */
const TYPE_MAP: Readonly<Record<string, AttackType>> = {
  sqli: 'sqli', xss: 'xss', path_traversal: 'path_traversal', lfi: 'path_traversal', rce: 'cmdi', ssti: 'ssti',
  xxe: 'xxe', ldapi: 'ldapi', nosqli: 'nosqli', open_redirect: 'open_redirect',
};

export function readJsonl<T>(file: string): T[] {
  const text = zlib.gunzipSync(fs.readFileSync(file)).toString('utf8');
  const out: T[] = [];
  for (const line of text.split('\n')) if (line.trim() !== '') out.push(JSON.parse(line) as T);
  return out;
}

/**
 * Why a corpus line is not an attack we should be judged on, or null to keep it. The Intruder lists are
 * fuzzing word lists, so they contain things that carry no injection by themselves:
 * - empty: blank lines;
 * - comment: `# ...` lines;
 * - fragment: under 3 characters, or only quotes/separators/newline escapes (`'`, `|| `, `%0a`): a probe
 *   for an error message, not an attack, and flagging them would block ordinary text;
 * - label: only letters, digits, spaces, `_ . -` — LDAP attribute names (`uid`, `commonName`), bare
 *   commands with no separator (`whoami`, `uname -a`, `sleep 5`), bare file names (`config.php`, `passwd`);
 * - mangled: traversal lines whose `%` was lost (`..2f..2fetc2fpasswd`) and which no server decodes;
 * - non-xxe: XML samples in the XXE list without DOCTYPE/ENTITY/XInclude/XSLT (plain documents).
 */
export function noiseReason(type: string, payload: string): string | null {
  const p = payload.trim();
  if (p === '') return 'empty';
  if (p.startsWith('# ')) return 'comment';
  if (p.length < 3) return 'fragment';
  if (/^(%0[ad]|\\[nr]|[|&;'"`\s])+$/i.test(p)) return 'fragment';
  if ((type === 'lfi' || type === 'path_traversal') && p.includes('..2f') && !p.includes('%')) return 'mangled';
  if (/^[A-Za-z0-9 _.\-]+$/.test(p)) return 'label';
  if (type === 'xxe' && !/<!DOCTYPE|<!ENTITY|xi:include|XInclude|xsl:|SYSTEM/i.test(p)) return 'non-xxe';
  return null;
}

export function loadDevAttacks(file = `${SHARED_CORPUS}/attacks-dev.jsonl.gz`): { cases: AttackCase[]; report: FilterReport } {
  const rows = readJsonl<{ type: string; payload: string; source: string }>(file);
  const dropped: Record<string, number> = {};
  const cases: AttackCase[] = [];
  const seen = new Set<string>();
  for (const r of rows) {
    const type = TYPE_MAP[r.type];
    const why = type === undefined ? 'unknown-type' : noiseReason(r.type, r.payload);
    if (why !== null) {
      dropped[why] = (dropped[why] ?? 0) + 1;
      continue;
    }
    const key = `${type}\u0000${r.payload}`;
    if (seen.has(key)) {
      dropped.duplicate = (dropped.duplicate ?? 0) + 1;
      continue;
    }
    seen.add(key);
    cases.push({ type: type as AttackType, payload: r.payload, source: r.source.replace(/^PayloadsAllTheThings\//, '') });
  }
  return { cases, report: { kept: cases.length, dropped } };
}
