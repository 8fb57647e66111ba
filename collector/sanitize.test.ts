import { scrubStrings } from './sanitize';

test('scrubs NUL and lone surrogates, keeps valid pairs', () => {
  const input = JSON.parse('{"a":"x\\u0000y","b":["\\ud800z","ok \\ud83d\\ude00","\\udc00"],"c":{"d":1,"e":null,"k\\u0000":2}}');
  expect(scrubStrings(input)).toEqual({ a: 'x\ufffdy', b: ['\ufffdz', 'ok \u{1f600}', '\ufffd'], c: { d: 1, e: null, 'k\ufffd': 2 } });
});

test('a "__proto__" key stays a plain property', () => {
  const output = scrubStrings(JSON.parse('{"__proto__":{"polluted":true}}')) as Record<string, unknown>;
  expect(Object.getPrototypeOf(output)).toBe(Object.prototype);
  expect(JSON.stringify(output)).toBe('{"__proto__":{"polluted":true}}');
});
