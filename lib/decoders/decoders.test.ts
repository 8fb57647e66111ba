import { applyDecoders, decodeBase64Text, htmlDecode, jsUnescape, removeControls, stripSqlComments, urlDecode, urlDecodeOnce, collapseWhitespace, foldUnicode, decodeUtf8Lenient } from './index';
import { createDetectorInput, makePoint } from '../detector-input';

describe('url', () => {
  it('decodes once and multi-pass', () => {
    expect(urlDecodeOnce('%253Cscript%253E')).toBe('%3Cscript%3E');
    expect(urlDecode('%253Cscript%253E')).toBe('<script>');
    expect(urlDecode('%25252e%25252e%25252f')).toBe('../');
  });
  it('decodes %u and overlong UTF-8', () => {
    expect(urlDecode('%u003cx%u003E')).toBe('<x>');
    expect(urlDecode('..%c0%af..%c0%ae')).toBe('../...');
    expect(urlDecode('%e0%80%ae%e0%80%ae/')).toBe('../');
    expect(urlDecode('caf%C3%A9')).toBe('café');
  });
  it('keeps malformed escapes and plus', () => {
    expect(urlDecode('100%zz+1%')).toBe('100%zz+1%');
    expect(urlDecode('%4')).toBe('%4');
  });
  it('maps invalid bytes to Latin-1 instead of U+FFFD', () => {
    expect(decodeUtf8Lenient([0xff, 0x41])).toBe('\u00ffA');
  });
});

describe('html', () => {
  it('decodes named, decimal and hex, with or without semicolon', () => {
    expect(htmlDecode('&lt;svg onload&equals;alert&lpar;1&rpar;&gt;')).toBe('<svg onload=alert(1)>');
    expect(htmlDecode('&#106;&#97&#0000118;&#x61;&#X73;')).toBe('javas');
    expect(htmlDecode('&amp;lt;b&amp;gt;')).toBe('<b>');
    expect(htmlDecode('fish & chips &unknown;')).toBe('fish & chips &unknown;');
  });
});

describe('js', () => {
  it('decodes escapes', () => {
    expect(jsUnescape('\\x3cimg\\u0020src\\u{3D}x\\76')).toBe('<img src=x>');
    expect(jsUnescape('a\\nb\\q')).toBe('a\nbq');
    expect(jsUnescape('trailing\\')).toBe('trailing\\');
  });
});

describe('other decoders', () => {
  it('removes control characters', () => {
    expect(removeControls('sel\u0000ect\u0007 x\ty')).toBe('select x\ty');
  });
  it('collapses unicode whitespace', () => {
    expect(collapseWhitespace('a\u00a0\u200b \n\tb')).toBe('a b');
  });
  it('folds fullwidth forms', () => {
    expect(foldUnicode('ＳＥＬＥＣＴ＜')).toBe('SELECT<');
  });
  it('strips SQL comments but keeps MySQL executable ones', () => {
    expect(stripSqlComments('UNION/**/SELECT')).toBe('UNION SELECT');
    expect(stripSqlComments('/*!50000UNION*/ SELECT')).toBe(' UNION  SELECT');
    expect(stripSqlComments('1 /* unterminated')).toBe('1  ');
  });
  it('decodes plausible base64 text only', () => {
    expect(decodeBase64Text(Buffer.from("' or 1=1 --").toString('base64'))).toBe("' or 1=1 --");
    expect(decodeBase64Text('PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg')).toBe('<script>alert(1)</script>');
    expect(decodeBase64Text('hello world')).toBeNull();
    expect(decodeBase64Text(Buffer.from([0, 1, 2, 250, 251, 252, 3, 4, 5]).toString('base64'))).toBeNull();
  });
  it('applies chains in order', () => {
    expect(applyDecoders('%26lt%3Bscript%26gt%3B', ['url', 'html', 'lower'])).toBe('<script>');
  });
});

describe('detector input', () => {
  it('memoizes chains and shares prefixes', () => {
    const input = createDetectorInput(makePoint('%3CB%3E'));
    expect(input.decode('url')).toBe('<B>');
    expect(input.decode('url', 'lower')).toBe('<b>');
    expect(input.decode()).toBe('%3CB%3E');
    expect(input.point.source).toBe('query');
  });
});
