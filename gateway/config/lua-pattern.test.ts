import { luaPatternFind, LuaPatternError } from './lua-pattern';

describe('Lua patterns', () => {
  it.each([
    ['^%u+$', 'GET', true],
    ['^%u+$', 'Get', false],
    ['^[%w%.%-%_~]+$', 'a.b-c_d~', true],
    ['^[%w%.%-%_~]+$', 'a b', false],
    ['//', '/a//b', true],
    ['^[^*]*%*?[^*]*$', '*.a.*', false],
    ['%.%*$', 'example.*', true],
    ['^%d+[%.%d]*%-?.*$', '1.2.3-beta', true],
    ['%s', 'no-space', false],
    ['^(%a+)%-%1$', 'ab-ab', true],
    ['^%b()$', '(a(b)c)', true],
    ['%f[%w]%w+', '  word', true],
    ['^a-b$', 'aaab', true],
    ['^[\x80-\xf4]+$', 'é', true],
  ])('%s on %s → %s', (pattern, subject, expected) => {
    expect(luaPatternFind(subject, pattern)).toBe(expected);
  });

  it('stops pathological patterns with an error instead of spinning', () => {
    expect(() => luaPatternFind('a'.repeat(60), 'a*a*a*a*a*a*a*a*b')).toThrow(LuaPatternError);
  });
});
