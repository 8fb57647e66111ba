import { parse, values } from './testing';

const gql = (body: unknown, path = '/graphql') => parse({ method: 'POST', path, headers: { 'content-type': 'application/json' }, bodyText: JSON.stringify(body) });

describe('GraphQL parser', () => {
  it('gives argument literals, variables and a summary', () => {
    const r = gql({
      query: 'query Q($id: ID!, $f: String = "dflt") { user(id: $id, filter: {name: "o\'brien", tags: ["a"]}) { a: name posts(first: 2) @include(if: true) { title } ...F } } fragment F on User { friends { name } }',
      variables: { id: '42', nested: { q: 'x' } },
      operationName: 'Q',
    });
    const v = values(r.points);
    expect(v).toMatchObject({
      'graphql.args.user.filter.name': "o'brien",
      'graphql.args.user.filter.tags.0': 'a',
      'graphql.defaults.f': 'dflt',
      'graphql.variables.id': '42',
      'graphql.variables.nested.q': 'x',
    });
    expect(r.parse.bodyKind).toBe('graphql');
    expect(r.parse.graphql).toMatchObject({ operations: 1, aliases: 1, directives: 1, introspection: false, batchSize: 1, maxDepth: 3 });
  });

  it('expands fragments for depth and survives fragment cycles', () => {
    const r = gql({ query: '{ a { ...F } } fragment F on T { b { ...G } } fragment G on T { c { ...F } }' });
    expect(r.parse.graphql?.maxDepth).toBeGreaterThanOrEqual(3);
  });

  it('detects introspection and batches', () => {
    const r = gql([{ query: '{ __schema { types { name } } }' }, { query: '{ x }' }]);
    expect(r.parse.graphql).toMatchObject({ introspection: true, batchSize: 2, operations: 2 });
  });

  it('handles GET ?query=&variables= and application/graphql', () => {
    const q = encodeURIComponent('{ search(text: "<svg onload=1>") { id } }');
    const r = parse({ path: '/graphql', query: `query=${q}&variables=${encodeURIComponent('{"x":"y"}')}&page=2` });
    expect(values(r.points)).toEqual({ 'path.0': 'graphql', 'graphql.args.search.text': '<svg onload=1>', 'graphql.variables.x': 'y', 'query.page': '2' });
    const g = parse({ method: 'POST', path: '/api', headers: { 'content-type': 'application/graphql' }, bodyText: 'mutation { m(s: "v") }' });
    expect(values(g.points)).toEqual({ 'path.0': 'api', 'graphql.args.m.s': 'v' });
  });

  it('reports a syntax error and inspects the query text', () => {
    const r = gql({ query: '{ user(id: "1\' or 1=1") ' });
    expect(r.limits.map((l) => l.kind)).toContain('parse_error');
    expect(values(r.points)['graphql.query']).toContain("1' or 1=1");
  });

  it('leaves JSON with a "query" member alone off GraphQL paths when it is not GraphQL', () => {
    const r = gql({ query: 'red shoes' }, '/api/search');
    expect(values(r.points)).toEqual({ 'path.0': 'api', 'path.1': 'search', 'body.json.query': 'red shoes' });
  });
});
