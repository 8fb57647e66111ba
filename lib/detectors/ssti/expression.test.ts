import { findExpressions, lexExpression, shapeOf } from './expression';

describe('findExpressions', () => {
  it('finds the delimiters of the major engines', () => {
    const opens = findExpressions("{{7*7}} {%x%} ${a} #{b} <%= c %> @(1+2) <#assign x=1> [#assign y=2]").map((e) => e.open).sort();
    expect(opens).toEqual(['#{', '$' + '{', '<#', '<%', '@(', '[#', '{%', '{{'].sort());
  });

  it('honours nested braces and quotes inside a body', () => {
    const [e] = findExpressions("{{app.request.query.filter(0,0,1024,{'options':'system'})}}");
    expect(e.closed).toBe(true);
    expect(e.body.endsWith(')')).toBe(true);
  });

  it('strips the ERB output marker', () => {
    expect(findExpressions('<%= 7 * 7 %>')[0].body.trim()).toBe('7 * 7');
  });
});

describe('shapeOf', () => {
  it('recognises arithmetic, calls and chains', () => {
    expect(shapeOf(lexExpression("7*'7'")).arithmetic).toBe(true);
    expect(shapeOf(lexExpression("''.__class__.__mro__[2].__subclasses__()")).calls).toBe(1);
    expect(shapeOf(lexExpression('user.profile.name')).chain).toBe(3);
    expect(shapeOf(lexExpression('your first name')).proseLike).toBe(true);
  });
});
