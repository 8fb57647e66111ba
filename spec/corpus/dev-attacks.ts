import path from 'node:path';
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { htmlDecode, jsUnescape, urlDecode } from '../../lib/decoders';
import type { AttackType } from '../../lib/types';

/**
 * The development corpora live in the steering repo's shared/ folder, beside the clone (CI: a fresh clone with
 * shared/ next to it; here: /work/shared). KAS_CORPUS_DIR overrides. Data is read at run time, never committed.
 */
export const SHARED_CORPUS = sharedCorpusDir();

export function sharedCorpusDir(): string {
  if (process.env.KAS_CORPUS_DIR) return process.env.KAS_CORPUS_DIR;
  const beside = path.resolve(__dirname, '..', '..', '..', 'shared', 'corpus');
  const besideDist = path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'corpus');
  for (const dir of [beside, besideDist]) if (fs.existsSync(dir)) return dir;
  return '/work/shared/corpus';
}

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
 * fuzzing word lists and cheat sheets split into lines, so they contain things that carry no injection by
 * themselves (each rule is counted and printed by the eval):
 * - empty: blank lines;
 * - comment: `# ...` lines;
 * - heading: a cheat sheet's section title (`Comments:`, `Time-Based:`) or a documentation line (`||<TAB>(double
 *   pipe) concatenate`, `#<TAB>Hash comment`): a symbol followed by a tab and an explanation in prose;
 * - fragment: under 3 characters, only quotes/separators/newline escapes (`'`, `|| `, `%0a`), or one
 *   URL-encoded / character-referenced metacharacter (`%29`, `%2A%7C`, `&#X3C;`): a probe for an error
 *   message, not an attack, and flagging them would block ordinary text;
 * - label: only letters, digits, spaces, `_ . -` — LDAP attribute names (`uid`, `commonName`), bare
 *   commands with no separator (`whoami`, `uname -a`, `sleep 5`), bare file names (`config.php`, `passwd`);
 *   also a `#word.tld` anchor (`#Marketo.com`);
 * - padding: one character repeated (`AAAA…`, `/AAAA…`): buffer-length filler a fuzzer appends, no payload;
 * - placeholder: a template placeholder of a plain dotted name (`{{person.name}}`) in a non-SSTI list: it
 *   prints a field, which is what templates are for; SSTI probes (`{{7*7}}`, `{{config}}`) are kept;
 * - template: a fuzzer template with an unfilled slot and no parent reference (`/./\\/./{FILE}`,
 *   `/tmp/sess_<sessid>`): the tool substitutes real file names; slots after a climb (`..%u2216{FILE}`)
 *   are kept, since the climb is the attack;
 * - dot-prefix: a traversal list line made only of `.` segments and separators (`/./\/./`), which names
 *   the current directory and climbs nowhere — a prefix the fuzzer puts before a file;
 * - inert-markup: an XSS-list line that, decoded (URL, HTML entities, JS escapes), has no way to run code:
 *   no call or tagged template, no event handler, no script-capable scheme, no script/frame/object/embed/
 *   base/link/meta/import element, no style binding and no client-side template. These are the lines of
 *   multi-line vectors (html5sec's `<div id="67"><!DOCTYPE x [` … `]><img />`) and browser-version comments
 *   (`<!-- Up to Opera 12.x -->`); on its own such a line renders inert markup. Closing tags (`</form>`)
 *   run nothing, and html5sec's per-vector trailer `//["'\`-->]]>]</div>` is page furniture, not judged;
 * - mangled: traversal lines whose `%` was lost (`..2f..2fetc2fpasswd`) and which no server decodes;
 * - non-xxe: XML samples in the XXE list without DOCTYPE/ENTITY/XInclude/XSLT (plain documents).
 */
export function noiseReason(type: string, payload: string): string | null {
  const p = payload.trim();
  if (p === '') return 'empty';
  if (p.startsWith('# ')) return 'comment';
  // a syntax token, a tab, then prose to the end of the line (`-- -<TAB>SQL comment`, `@variable<TAB>local variable`)
  if (/^[A-Za-z][A-Za-z -]*:$/.test(p) || /^\S{1,8}\t+[A-Za-z(]/.test(payload.trimStart()) || /^[^\t]{1,12}\t[ \t]*[A-Za-z(][A-Za-z ()-]*$/.test(payload.trim())) return 'heading';
  if (p.length < 3) return 'fragment';
  if (/^(%0[ad]|\\[nr]|[|&;'"`\s])+$/i.test(p)) return 'fragment';
  if (/^(%[0-9a-f]{2}){1,2}$/i.test(p) || /^&#x?0*[0-9a-f]{1,6};?$/i.test(p)) return 'fragment';
  if ((type === 'lfi' || type === 'path_traversal') && p.includes('..2f') && !p.includes('%')) return 'mangled';
  if (/^[A-Za-z0-9 _.\-]+$/.test(p) || /^#[A-Za-z0-9_.-]+$/.test(p)) return 'label';
  if (/^\/?(.)\1{15,}$/.test(p)) return 'padding';
  if (type !== 'ssti' && /^\{\{\s*[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+\s*\}\}$/.test(p)) return 'placeholder';
  if (/\{[A-Z][A-Z_]*\}|<[a-z]+id>/.test(p) && !urlDecode(p).includes('..')) return 'template';
  if ((type === 'lfi' || type === 'path_traversal') && /^[./\\]+$/.test(p) && !p.includes('..')) return 'dot-prefix';
  if (type === 'xss' && isInertMarkup(p)) return 'inert-markup';
  if (type === 'xxe' && !/<!DOCTYPE|<!ENTITY|xi:include|XInclude|xsl:|SYSTEM/i.test(p)) return 'non-xxe';
  return null;
}

/** Ways markup or script runs code; a line (decoded) with none of them is inert. */
const ACTIVE = /[(`]|\bon[a-z]+\s*=|(java|vb|live)script\s*:|data\s*:|<\s*(script|iframe|frame|object|embed|applet|base|link|meta|import|form|isindex|math|animate|set|handler|listener)\b|\?import|srcdoc|formaction|behavior|binding|expression|import|\{\{|\$\{|&\{|location|cookie|innerhtml|xlink:href|%[0-9a-f]{2}|\\[0-9a-fux]/i;

const HTML5SEC_TRAILER = '//["\'`-->]]>]</div>';

function isInertMarkup(p: string): boolean {
  // a base64 run may be part of a data: URL split over lines; judged by what it decodes to elsewhere
  if (/^[A-Za-z0-9+/]{16,}/.test(p)) return false;
  // html5sec wraps every vector in `<div id="N">…//["'\`-->]]>]</div>`: the trailer closes whatever the
  // vector left open so the next one starts clean; it is page furniture, not part of the attack
  const line = p.split(HTML5SEC_TRAILER).join('');
  const decoded = jsUnescape(htmlDecode(urlDecode(line)));
  return !ACTIVE.test(decoded) && !ACTIVE.test(line);
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
