import { isTag, tokenizeHtml, type HtmlTagToken } from './html-tokenizer';

const tags = (s: string): HtmlTagToken[] => tokenizeHtml(s).filter(isTag);

describe('tokenizeHtml', () => {
  it('reads slash-separated attributes and lower-cases names', () => {
    const [t] = tags('<SVG/ONLOAD=alert(1)>');
    expect(t).toMatchObject({ kind: 'start', name: 'svg', closed: true });
    expect(t.attrs).toEqual([{ name: 'onload', value: 'alert(1)' }]);
  });

  it('handles tabs, newlines and form feeds between attributes and quoted values', () => {
    const [t] = tags('<img\tsrc="x"\nalt=\'a b\'\fonerror=go()>');
    expect(t.attrs.map((a) => a.name)).toEqual(['src', 'alt', 'onerror']);
    expect(t.attrs[1].value).toBe('a b');
  });

  it('keeps an attribute value that runs to the end of the input (unclosed tag)', () => {
    const [t] = tags('"><img src=x onerror=alert(1)');
    expect(t.closed).toBe(false);
    expect(t.attrs[1]).toEqual({ name: 'onerror', value: 'alert(1)' });
  });

  it('restarts a tag at a nested "<" (<scr<script>ipt>)', () => {
    expect(tags('<scr<script>ipt>').map((t) => t.name)).toContain('script');
  });

  it('recognises comments, doctype, CDATA and bogus comments', () => {
    const kinds = tokenizeHtml('<!-- c --><!doctype html><![CDATA[x]]><?php x ?></3>').map((t) => t.kind);
    expect(kinds).toEqual(['comment', 'doctype', 'cdata', 'bogus', 'bogus']);
  });

  it('does not read comparisons or emails as dangerous tags', () => {
    expect(tags('if a < b and c > d')).toEqual([]);
    expect(tags('I <3 you')).toEqual([]);
    expect(tags('Bob <bob@example.com>')[0].name).toBe('bob@example.com');
  });

  it('reads end tags', () => {
    expect(tags('</script><script>')).toMatchObject([{ kind: 'end', name: 'script' }, { kind: 'start', name: 'script' }]);
  });

  it('is bounded on long inputs', () => {
    expect(tokenizeHtml('<a>'.repeat(5000)).length).toBeLessThanOrEqual(256);
  });
});
