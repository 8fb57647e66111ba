/**
 * XML external entities and friends: external entity declarations (SYSTEM/PUBLIC, any scheme: file,
 * http, php://, expect://, jar:, netdoc:, gopher:), parameter entities (out-of-band XXE), external
 * DTDs, entity expansion bombs (entities referencing entities), XInclude, and XSLT that reads files or
 * calls code. Runs on XML bodies (the XML parser surfaces the DOCTYPE as the point `body.xml.!doctype`)
 * and on any value that carries XML.
 *
 * Confidence: external entity / parameter entity / expansion bomb / XInclude ≥ 0.9; external DTD
 * 0.85 (W3C XHTML/SVG DTDs 0.2); internal entity declarations 0.55 (APIs do not send DTDs, but the
 * entity alone reads nothing); DOCTYPE with an internal subset and no entity 0.3.
 */
import { CH, charsOf } from '../../features';
import type { Detection, Detector, DetectorInput } from '../../types';
import { generalRefs, scanDtd, type EntityDecl } from './dtd';

interface Match {
  rule: string;
  confidence: number;
  start: number;
  end: number;
}

function pick(a: Match | null, b: Match | null): Match | null {
  if (b === null) return a;
  return a === null || b.confidence > a.confidence ? b : a;
}

function schemeOf(uri: string): string {
  const m = /^\s*([A-Za-z][A-Za-z0-9+.-]{0,15}):/.exec(uri);
  return m === null ? 'relative' : m[1].toLowerCase();
}

/** Public DTDs of W3C vocabularies: a pasted XHTML/SVG document, not an attack. */
function isStandardDtd(uri: string | null, publicId: string | null): boolean {
  const u = (uri ?? '').toLowerCase();
  return (publicId ?? '').startsWith('-//W3C//') && (u === '' || u.startsWith('http://www.w3.org/') || u.startsWith('https://www.w3.org/'));
}

function entityRules(entities: EntityDecl[]): Match | null {
  let best: Match | null = null;
  const names = new Set(entities.map((e) => e.name));
  let nested = 0;
  for (const e of entities) {
    const span = { start: e.start, end: e.end };
    if (e.systemId !== null || e.publicId !== null) {
      const scheme = schemeOf(e.systemId ?? '');
      best = pick(best, { rule: `xxe:entity:${e.parameter ? 'parameter:' : ''}external:${scheme}`, confidence: scheme === 'relative' && !e.parameter ? 0.9 : 0.96, ...span });
      continue;
    }
    if (e.parameter) best = pick(best, { rule: 'xxe:entity:parameter', confidence: 0.9, ...span });
    if (e.value !== null) {
      if (/<!ENTITY/i.test(e.value)) best = pick(best, { rule: 'xxe:entity:nested-declaration', confidence: 0.93, ...span });
      const refs = generalRefs(e.value).filter((r) => names.has(r));
      if (refs.length > 0) nested += 1;
      if (refs.length >= 2 || (refs.length >= 1 && nested >= 2)) best = pick(best, { rule: 'xxe:entity:expansion', confidence: 0.92, ...span });
      else best = pick(best, { rule: 'xxe:entity:internal', confidence: 0.55, ...span });
    }
  }
  return best;
}

function xincludeAndXslt(s: string, lower: string): Match | null {
  let best: Match | null = null;
  const xi = lower.indexOf('xi:include');
  if (xi >= 0 || lower.includes('www.w3.org/2001/xinclude')) {
    const at = xi >= 0 ? xi : lower.indexOf('www.w3.org/2001/xinclude');
    best = pick(best, { rule: 'xxe:xinclude', confidence: lower.includes('href') ? 0.92 : 0.7, start: Math.max(0, at - 1), end: Math.min(s.length, at + 120) });
  }
  const xsl = lower.indexOf('<xsl:');
  if (xsl >= 0 || lower.includes('www.w3.org/1999/xsl/transform')) {
    const at = xsl >= 0 ? xsl : 0;
    let rule = 'xxe:xslt';
    let confidence = 0.6;
    for (const [needle, name] of [
      ['document(', 'document'], ['php:function', 'php-function'], ['unparsed-text', 'unparsed-text'], ['<xsl:include', 'include'],
      ['<xsl:import', 'import'], ['system-property', 'system-property'], ['java:', 'java-extension'], ['runtime', 'runtime'],
      ['msxsl:script', 'msxsl-script'], ['<xsl:result-document', 'result-document'],
    ] as const) {
      if (lower.includes(needle)) {
        rule = `xxe:xslt:${name}`;
        confidence = 0.9;
        break;
      }
    }
    best = pick(best, { rule, confidence, start: at, end: Math.min(s.length, at + 160) });
  }
  return best;
}

/** Every opener mayHoldXml looks for has one of these (`<!`, `%3C!`, `xi:`, `&lt;!`, the XInclude/XSLT namespace URLs). */
const XML_CHARS = CH.LT | CH.PERCENT | CH.COLON | CH.AMP | CH.SLASH;

function mayHoldXml(s: string): boolean {
  return s.indexOf('<!') >= 0 || s.indexOf('%3C!') >= 0 || s.indexOf('%3c!') >= 0 || s.indexOf('xi:') >= 0 || s.indexOf('xsl:') >= 0 || s.indexOf('XInclude') >= 0 || s.indexOf('%25') >= 0 || s.indexOf('&lt;!') >= 0;
}

export const xxeDetector: Detector = {
  type: 'xxe',
  detect(input: DetectorInput): Detection | null {
    const point = input.point;
    // name first: reading the (concatenated) path of every body point would flatten it
    const isDoctypePoint = point.source === 'body' && point.name === 'doctype' && point.path.endsWith('!doctype');
    if (!isDoctypePoint && (point.value.length < 8 || (charsOf(input) & XML_CHARS) === 0 || !mayHoldXml(point.value))) return null;
    let s = input.decode('url');
    if (s.indexOf('<!') < 0 && s.indexOf('&lt;!') >= 0) s = input.decode('url', 'html');
    // The XML parser may hand over the declaration without its `<!DOCTYPE` keyword.
    if (isDoctypePoint && !/^\s*<!/.test(s)) s = `<!DOCTYPE ${s}`;
    const lower = s.toLowerCase();
    let best: Match | null = null;
    if (s.indexOf('<!') >= 0) {
      const scan = scanDtd(s);
      best = pick(best, entityRules(scan.entities));
      if (scan.parameterRefs.length > 0) {
        best = pick(best, { rule: 'xxe:parameter-reference', confidence: 0.9, start: 0, end: Math.min(s.length, 200) });
      }
      for (const d of scan.doctypes) {
        const span = { start: d.start, end: d.end };
        if (d.systemId !== null || d.publicId !== null) {
          if (isStandardDtd(d.systemId, d.publicId)) best = pick(best, { rule: 'xxe:doctype:w3c-dtd', confidence: 0.2, ...span });
          else best = pick(best, { rule: `xxe:doctype:external:${schemeOf(d.systemId ?? '')}`, confidence: 0.85, ...span });
        } else if (d.subset !== null && d.subset.trim() !== '') {
          best = pick(best, { rule: 'xxe:doctype:internal-subset', confidence: 0.3, ...span });
        }
      }
    }
    if (lower.includes('xi:') || lower.includes('xinclude') || lower.includes('xsl')) best = pick(best, xincludeAndXslt(s, lower));
    if (best === null) return null;
    return {
      type: 'xxe',
      confidence: best.confidence,
      detail: best.rule,
      excerpt: s.slice(best.start, Math.min(best.end, best.start + 200)),
    };
  },
};
