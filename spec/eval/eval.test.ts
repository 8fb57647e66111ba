import { parseRequest } from '../../lib/parsers/request';
import { mergeLimits } from '../../lib/limits';
import { generateBenignApi, BENIGN_CATEGORIES } from '../corpus/benign-api';
import { loadDocsProse } from '../corpus/benign-docs';
import { noiseReason } from '../corpus/dev-attacks';
import { isRightType } from './run';
import { generatedAttacks } from '../corpus/generated-attacks';
import { encodePayload, encodingsFor, placementsFor, placeValue, PLACEMENTS } from '../corpus/placements';

const LIMITS = mergeLimits({ timeBudgetMs: 10_000 });

describe('eval corpus plumbing', () => {
  it.each(PLACEMENTS.filter((p) => p !== 'xml_body'))('placement %s delivers the value to a point', (placement) => {
    const marker = "MARKER' <x> ${y} ../z";
    const r = parseRequest(placeValue(marker, placement, 'sqli'), LIMITS);
    const hit = r.points.filter((p) => p.value.includes('MARKER'));
    expect(hit.length).toBeGreaterThan(0);
    expect(r.limits.filter((l) => l.kind === 'parse_error')).toEqual([]);
  });

  it('the docs-prose set posts README paragraphs (no fenced code) as JSON comments', () => {
    const docs = loadDocsProse(undefined, 20);
    expect(docs.length).toBeGreaterThan(50);
    for (const d of docs) {
      const comment = JSON.parse(d.request.body!.toString()).comment as string;
      expect(comment.length).toBeGreaterThan(20);
      expect(comment).not.toContain('```');
    }
  });

  it('xml_body delivers the document, DOCTYPE as its own point', () => {
    const r = parseRequest(placeValue('<!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]><a>&e;</a>', 'xml_body', 'xxe'), LIMITS);
    expect(r.points.map((p) => p.path)).toContain('body.xml.!doctype');
  });

  it('every encoding decodes back to the payload with the matching decoder', () => {
    const p = "<svg onload=alert('x')>";
    expect(decodeURIComponent(encodePayload(p, 'url'))).toBe(p);
    expect(decodeURIComponent(decodeURIComponent(encodePayload(p, 'double_url')))).toBe(p);
    expect(Buffer.from(encodePayload(p, 'base64'), 'base64').toString()).toBe(p);
    expect(JSON.parse(`"${encodePayload(p, 'js_unicode')}"`)).toBe(p);
    expect(encodePayload(p, 'html')).toBe('<svg onload=alert&#40;&#39;x&#39;&#41;>');
    expect(encodingsFor('scanner')).toEqual(['plain']);
    expect(placementsFor('scanner')).toEqual(['header']);
  });

  it('noise filter drops labels, fragments and plain XML but keeps attacks', () => {
    expect(noiseReason('ldapi', 'commonName')).toBe('label');
    expect(noiseReason('rce', '|| ')).toBe('fragment');
    expect(noiseReason('rce', 'whoami')).toBe('label');
    expect(noiseReason('lfi', '..2f..2fetc2fpasswd')).toBe('mangled');
    expect(noiseReason('xxe', '<?xml version="1.0"?><a>b</a>')).toBe('non-xxe');
    expect(noiseReason('sqli', "' or 1=1--")).toBeNull();
    expect(noiseReason('rce', ';id')).toBeNull();
    expect(noiseReason('open_redirect', '//evil.example')).toBeNull();
  });

  it('generated corpora are deterministic and cover every category', () => {
    const a = generateBenignApi(40, 1);
    const b = generateBenignApi(40, 1);
    expect(a.map((x) => x.request.body?.toString() ?? x.request.query)).toEqual(b.map((x) => x.request.body?.toString() ?? x.request.query));
    expect(new Set(a.map((x) => x.label))).toEqual(new Set(BENIGN_CATEGORIES));
    const types = new Set(generatedAttacks().map((c) => c.type));
    for (const t of ['nosqli', 'ldapi', 'ssti', 'xxe', 'log4shell', 'shellshock', 'ssrf', 'crlf', 'cmdi', 'scanner']) expect(types.has(t as never)).toBe(true);
  });

  it('generated benign requests parse without errors', () => {
    for (const { request, label } of generateBenignApi(BENIGN_CATEGORIES.length * 3, 5)) {
      const r = parseRequest(request, LIMITS);
      expect({ label, errors: r.parse.errors }).toEqual({ label, errors: [] });
      expect(r.points.length).toBeGreaterThan(0);
    }
  });
});

describe('eval noise filter and right-type rules (quality pass)', () => {
  it('drops lines that carry no attack, with a reason each', () => {
    expect(noiseReason('xss', '#Marketo.com')).toBe('label');
    expect(noiseReason('rce', '{{person.name}}')).toBe('placeholder');
    expect(noiseReason('lfi', 'A'.repeat(100))).toBe('label');
    expect(noiseReason('lfi', `/${'A'.repeat(100)}`)).toBe('padding');
    expect(noiseReason('lfi', '/./\\/././\\/./{FILE}')).toBe('template');
    expect(noiseReason('lfi', '/tmp/sess_<sessid>')).toBe('template');
    expect(noiseReason('lfi', '/./\\/./')).toBe('dot-prefix');
    expect(noiseReason('xss', '<!-- Up to Opera 12.x -->')).toBe('inert-markup');
    expect(noiseReason('xss', '<div id="87"><svg xmlns="http://www.w3.org/2000/svg">')).toBe('inert-markup');
    expect(noiseReason('xss', '&#X3C;')).toBe('fragment');
    expect(noiseReason('ldapi', '%2A%7C')).toBe('fragment');
    expect(noiseReason('sqli', 'Comments:')).toBe('heading');
    expect(noiseReason('sqli', '||\t\t(double pipe) concatenate')).toBe('heading');
  });

  it('keeps real attacks, however they are spelled', () => {
    expect(noiseReason('rce', '{{7*7}}')).toBeNull();
    expect(noiseReason('ssti', '{{config.items}}')).toBeNull();
    expect(noiseReason('lfi', '..%u2216..%u2216{FILE}')).toBeNull();
    expect(noiseReason('xss', '&#60;script&#62;alert&#40;1&#41;&#60;/script&#62;')).toBeNull();
    expect(noiseReason('xss', '%3Csvg%20onload%3Dalert(1)%3E')).toBeNull();
    expect(noiseReason('xss', '<a href="javascript:alert(1)">x</a>')).toBeNull();
    expect(noiseReason('xss', '<script src=//evil.example/x.js></script>')).toBeNull();
    expect(noiseReason('xss', '<svg><animate onbegin=alert(1) attributeName=x>')).toBeNull();
    expect(noiseReason('sqli', "admin'--")).toBeNull();
  });

  it('counts a payload of two types as right for either', () => {
    expect(isRightType('cmdi', ['ssti'])).toBe(true);
    expect(isRightType('cmdi', ['xss'])).toBe(false);
    expect(isRightType('open_redirect', ['xss'])).toBe(true);
    expect(isRightType('sqli', ['sqli'])).toBe(true);
    expect(isRightType('sqli', ['nosqli'])).toBe(false);
  });

  it('puts open redirects into redirect-named fields and not into headers or file names', () => {
    expect(placementsFor('open_redirect')).not.toContain('header');
    expect(placementsFor('open_redirect')).not.toContain('filename');
    const r = parseRequest(placeValue('//evil.example', 'json', 'open_redirect'), LIMITS);
    expect(r.points.find((p) => p.value === '//evil.example')?.name).toBe('returnurl');
  });

  it('generates SSTI probes with matching delimiters only', () => {
    const ssti = generatedAttacks().filter((c) => c.type === 'ssti').map((c) => c.payload);
    expect(ssti).toContain('{{7*7}}');
    expect(ssti).toContain('@(7*7)');
    expect(ssti).not.toContain('{{7*7}');
    expect(ssti).not.toContain('@(7*7}}');
  });
});
