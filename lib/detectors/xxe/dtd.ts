/**
 * A small scanner for XML markup declarations, enough to judge XXE: DOCTYPE (name, external id,
 * internal subset), ENTITY (general/parameter, internal value or SYSTEM/PUBLIC external id),
 * parameter-entity references `%name;` in the subset, and general references `&name;` in values.
 * It works on fragments (a value that is only `<!ENTITY % x SYSTEM "…"> %x;`) and never recurses, so
 * it is linear in the input.
 */

export interface EntityDecl {
  name: string;
  parameter: boolean;
  /** Replacement text for an internal entity. */
  value: string | null;
  /** SYSTEM/PUBLIC system literal for an external entity. */
  systemId: string | null;
  publicId: string | null;
  start: number;
  end: number;
}

export interface DoctypeDecl {
  name: string;
  systemId: string | null;
  publicId: string | null;
  /** Internal subset text between '[' and ']', or null. */
  subset: string | null;
  start: number;
  end: number;
}

export interface DtdScan {
  doctypes: DoctypeDecl[];
  entities: EntityDecl[];
  /** `%name;` references outside entity values (in a subset or a fragment). */
  parameterRefs: string[];
}

const MAX_DECLS = 64;

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r';
}

function skipSpace(s: string, i: number): number {
  while (i < s.length && isSpace(s[i])) i += 1;
  return i;
}

function readName(s: string, i: number): { name: string; next: number } {
  const st = i;
  while (i < s.length && !isSpace(s[i]) && s[i] !== '>' && s[i] !== '[' && s[i] !== '"' && s[i] !== "'") i += 1;
  return { name: s.slice(st, i), next: i };
}

function readLiteral(s: string, i: number): { value: string; next: number } | null {
  const q = s[i];
  if (q !== '"' && q !== "'") return null;
  const close = s.indexOf(q, i + 1);
  if (close < 0) return { value: s.slice(i + 1), next: s.length };
  return { value: s.slice(i + 1, close), next: close + 1 };
}

/** Reads `SYSTEM "uri"` / `PUBLIC "id" "uri"` at i. */
function readExternalId(s: string, i: number): { systemId: string | null; publicId: string | null; next: number } {
  const kw = s.slice(i, i + 6).toUpperCase();
  if (kw === 'SYSTEM') {
    const lit = readLiteral(s, skipSpace(s, i + 6));
    if (lit !== null) return { systemId: lit.value, publicId: null, next: lit.next };
    return { systemId: '', publicId: null, next: i + 6 };
  }
  if (kw === 'PUBLIC') {
    const pub = readLiteral(s, skipSpace(s, i + 6));
    if (pub !== null) {
      const sys = readLiteral(s, skipSpace(s, pub.next));
      return { systemId: sys !== null ? sys.value : null, publicId: pub.value, next: sys !== null ? sys.next : pub.next };
    }
    return { systemId: null, publicId: '', next: i + 6 };
  }
  return { systemId: null, publicId: null, next: i };
}

function readEntity(s: string, lt: number): { decl: EntityDecl; next: number } {
  let i = skipSpace(s, lt + 8);
  let parameter = false;
  if (s[i] === '%' && isSpace(s[i + 1])) {
    parameter = true;
    i = skipSpace(s, i + 1);
  }
  const { name, next } = readName(s, i);
  i = skipSpace(s, next);
  let value: string | null = null;
  let systemId: string | null = null;
  let publicId: string | null = null;
  const lit = readLiteral(s, i);
  if (lit !== null) {
    value = lit.value;
    i = lit.next;
  } else {
    const ext = readExternalId(s, i);
    systemId = ext.systemId;
    publicId = ext.publicId;
    i = ext.next;
  }
  const close = s.indexOf('>', i);
  const end = close < 0 ? s.length : close + 1;
  return { decl: { name, parameter, value, systemId, publicId, start: lt, end }, next: end };
}

function collectParameterRefs(text: string, out: string[]): void {
  let at = text.indexOf('%');
  while (at >= 0 && out.length < MAX_DECLS) {
    let j = at + 1;
    while (j < text.length && /[A-Za-z0-9_.:-]/.test(text[j])) j += 1;
    if (j > at + 1 && text[j] === ';') out.push(text.slice(at + 1, j));
    at = text.indexOf('%', j);
  }
}

function stripComments(text: string): string {
  let out = '';
  let i = 0;
  for (;;) {
    const open = text.indexOf('<!--', i);
    if (open < 0) return out + text.slice(i);
    out += text.slice(i, open);
    const close = text.indexOf('-->', open + 4);
    if (close < 0) return out;
    i = close + 3;
  }
}

/** Strips declarations' quoted literals, so `%` inside an entity value is not read as a reference. */
function outsideLiterals(text: string): string {
  let out = '';
  let q = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q !== '') {
      if (c === q) q = '';
      continue;
    }
    if (c === '"' || c === "'") q = c;
    else out += c;
  }
  return out;
}

export function scanDtd(s: string): DtdScan {
  const doctypes: DoctypeDecl[] = [];
  const entities: EntityDecl[] = [];
  const parameterRefs: string[] = [];
  const upper = s.toUpperCase();
  let at = s.indexOf('<!');
  let outside = '';
  let last = 0;
  while (at >= 0 && doctypes.length + entities.length < MAX_DECLS) {
    if (upper.startsWith('<!ENTITY', at)) {
      const { decl, next } = readEntity(s, at);
      entities.push(decl);
      outside += s.slice(last, at);
      last = next;
      at = s.indexOf('<!', next);
      continue;
    }
    if (upper.startsWith('<!DOCTYPE', at)) {
      let i = skipSpace(s, at + 9);
      const { name, next } = readName(s, i);
      i = skipSpace(s, next);
      const ext = readExternalId(s, i);
      i = skipSpace(s, ext.next);
      let subset: string | null = null;
      let end: number;
      if (s[i] === '[') {
        // The internal subset ends at the first ']' followed (after spaces) by '>' — outside literals.
        let j = i + 1;
        let q = '';
        let close = -1;
        while (j < s.length) {
          const c = s[j];
          if (q !== '') {
            if (c === q) q = '';
          } else if (c === '"' || c === "'") q = c;
          else if (c === ']') {
            const k = skipSpace(s, j + 1);
            if (s[k] === '>' || k >= s.length) {
              close = j;
              break;
            }
          }
          j += 1;
        }
        subset = s.slice(i + 1, close < 0 ? s.length : close);
        const gt = close < 0 ? -1 : s.indexOf('>', close);
        end = gt < 0 ? s.length : gt + 1;
        // Declarations inside the subset are scanned by continuing from the '['.
        doctypes.push({ name, systemId: ext.systemId, publicId: ext.publicId, subset, start: at, end });
        collectParameterRefs(outsideLiterals(stripComments(subset)), parameterRefs);
        at = s.indexOf('<!', i + 1);
        continue;
      }
      const gt = s.indexOf('>', i);
      end = gt < 0 ? s.length : gt + 1;
      doctypes.push({ name, systemId: ext.systemId, publicId: ext.publicId, subset, start: at, end });
      at = s.indexOf('<!', end);
      continue;
    }
    at = s.indexOf('<!', at + 2);
  }
  // A fragment without DOCTYPE (`<!ENTITY % a SYSTEM "…"> %a;`): references after the declarations.
  if (doctypes.length === 0 && entities.length > 0) collectParameterRefs(outsideLiterals(outside + s.slice(last)), parameterRefs);
  return { doctypes, entities, parameterRefs };
}

/** `&name;` references in text (XML's predefined five excluded). */
export function generalRefs(text: string): string[] {
  const out: string[] = [];
  let at = text.indexOf('&');
  while (at >= 0 && out.length < MAX_DECLS) {
    let j = at + 1;
    while (j < text.length && /[A-Za-z0-9_.:-]/.test(text[j])) j += 1;
    const name = text.slice(at + 1, j);
    if (j > at + 1 && text[j] === ';' && name !== 'lt' && name !== 'gt' && name !== 'amp' && name !== 'quot' && name !== 'apos') out.push(name);
    at = text.indexOf('&', j);
  }
  return out;
}
