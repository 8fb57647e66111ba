import { segmentKind, templatePath } from './template';

describe('path templates', () => {
  test.each([
    ['/users/123', '/users/{id}'],
    ['/users/123/orders/456', '/users/{id}/orders/{id2}'],
    ['/orders/550e8400-e29b-41d4-a716-446655440000', '/orders/{uuid}'],
    ['/reports/2024-05-01', '/reports/{date}'],
    ['/people/jane%40example.com', '/people/{email}'],
    ['/blobs/9f86d081884c7d659a2feaa0c55ad015/raw', '/blobs/{hash}/raw'],
    ['/s/QWxhZGRpbjpvcGVuIHNlc2FtZQ==', '/s/{token}'],
    ['/v1/users', '/v1/users'],
    ['/users/', '/users/'],
    ['/', '/'],
    ['//a//b', '/a/b'],
    ['/a/%7Bid%7D', '/a/{param}'],
    ['/a/x%2Fy', '/a/{param}'],
  ])('%s → %s', (path, template) => {
    expect(templatePath(path).template).toBe(template);
  });

  test('words stay literal', () => {
    for (const w of ['users', 'v2', 'api', 'favicon.ico', 'index.html', 'deadbeef', 'me']) expect(segmentKind(w)).toBeNull();
  });

  test('forced positions become {param}', () => {
    const t = templatePath('/articles/how-to-cook', (i, prefix) => i === 1 && prefix === '/articles');
    expect(t.template).toBe('/articles/{param}');
    expect(t.values).toEqual(['articles', 'how-to-cook']);
  });

  test('very deep paths are bounded', () => {
    const t = templatePath(`/${Array.from({ length: 100 }, (_, i) => `s${i}`).join('/')}`);
    expect(t.kinds.length).toBe(33);
    expect(t.template.endsWith('/{param}')).toBe(true);
  });
});
