/**
 * Test helper: reads the shared dev corpora (never committed) for detector self-checks, and says
 * which attack-list lines are not attacks. Tests skip when /work/shared is not there.
 */
import * as fs from 'fs';
import * as zlib from 'zlib';

export const CORPUS_DIR = process.env.KAS_CORPUS_DIR ?? '/work/shared/corpus';

export interface CorpusAttack {
  type: string;
  payload: string;
  source: string;
}

export function corpusAvailable(): boolean {
  return fs.existsSync(`${CORPUS_DIR}/attacks-dev.jsonl.gz`);
}

export function readAttacks(type: string): CorpusAttack[] {
  const txt = zlib.gunzipSync(fs.readFileSync(`${CORPUS_DIR}/attacks-dev.jsonl.gz`)).toString('utf8');
  return txt
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as CorpusAttack)
    .filter((a) => a.type === type);
}

/**
 * Lines of the PayloadsAllTheThings lists that are not attacks: list comments (`# from wapiti`),
 * cheat-sheet rows with a tab and a description (`||\t\t(double pipe) concatenate`), English labels
 * (`Finding the table name`), one- or two-character probes (`'`, `1'`, `;`, `%00`), LDAP attribute
 * names alone (`cn`, `mail`) and lone LDAP operators (`*`, `|`, `%26`).
 */
export function isCorpusNoise(type: string, p: string): boolean {
  const t = p.trim();
  if (/^#\s/.test(p)) return true;
  if (/\t\s*[A-Za-z(]/.test(p)) return true;
  if (type === 'sqli') {
    if (/^[A-Z][a-z]+([ -][A-Za-z]+)*:?$/.test(t) && !/^(And|Or)\b/i.test(t)) return true;
    if (t.length <= 4 && !/[a-z]{2}/i.test(t) && !/^(['"])[-=*&^ ]\1$/.test(t)) return true;
    if (/^1-(true|false)$|^1\/\*.*\*\/$|^-- or # $|^\/\*…\*\/ $|^'\\"$/.test(p)) return true;
  }
  if (type === 'ldapi') {
    const d = decodeURIComponentSafe(t);
    if (/^[A-Za-z]+$/.test(d)) return true;
    if (d.length <= 1 || (d.length <= 3 && !/[()]/.test(d))) return true;
  }
  return false;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
