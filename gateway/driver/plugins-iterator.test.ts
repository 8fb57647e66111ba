/** Kong's plugin precedence (lookup_cfg), ordering and __seq__ rules. */
import type { PluginCatalog, PluginInfo } from '../config/types';
import { makePlugin } from '../proxy/static-config';
import { PluginsIterator, SeqRegistry } from './plugins-iterator';

const info = (Name: string, Priority: number): PluginInfo => ({ Name, Version: '1.0.0', Phases: ['access'], Priority, Schema: { name: Name, fields: [{ config: { type: 'record', fields: [] } }] } });
const catalog: PluginCatalog = {
  get: (n) => ({ a: info('a', 10), b: info('b', 10), c: info('c', 99) })[n],
  list: () => [info('a', 10), info('b', 10), info('c', 99)],
};
const snap = (plugins: ReturnType<typeof makePlugin>[]) => ({ version: 1, workspaceId: 'ws', services: [], routes: [], consumers: [], plugins });

test('most specific config wins; globals last; consumer only when authenticated', () => {
  const g = makePlugin({ name: 'a', config: { s: 'global' } });
  const r = makePlugin({ name: 'a', config: { s: 'route' }, route: { id: 'R' } });
  const s = makePlugin({ name: 'a', config: { s: 'service' }, service: { id: 'S' } });
  const rc = makePlugin({ name: 'a', config: { s: 'route+consumer' }, route: { id: 'R' }, consumer: { id: 'C' } });
  const it = new PluginsIterator(snap([g, r, s, rc]), catalog, new SeqRegistry());
  expect(it.lookup('a', 'R', 'S', null)?.conf.s).toBe('route');
  expect(it.lookup('a', 'R', 'S', 'C')?.conf.s).toBe('route+consumer');
  expect(it.lookup('a', 'X', 'S', null)?.conf.s).toBe('service');
  expect(it.lookup('a', 'X', 'Y', 'C')?.conf.s).toBe('global');
  expect(it.lookup('a', 'R', 'S', null)?.conf.__key__).toBe('plugins:a:R::::ws'); // name:route:service:consumer::ws
});

test('priority desc, ties reverse-alphabetical; disabled and unknown plugins skipped', () => {
  const it = new PluginsIterator(
    snap([makePlugin({ name: 'a' }), makePlugin({ name: 'b' }), makePlugin({ name: 'c' }), makePlugin({ name: 'key-auth' }), makePlugin({ name: 'a', enabled: false, route: { id: 'R' } })]),
    catalog,
    new SeqRegistry(),
  );
  expect(it.ordered.map((p) => p.Name)).toEqual(['c', 'b', 'a']);
  expect(it.skipped).toEqual(['key-auth']);
  expect(it.lookup('a', 'R', null, null)?.plugin.route).toBeNull(); // the disabled route config is ignored
});

test('__seq__ changes only when the config changes', () => {
  const seqs = new SeqRegistry();
  const p = makePlugin({ name: 'a', config: { x: 1 } });
  const s1 = new PluginsIterator(snap([p]), catalog, seqs).lookup('a', null, null, null)!.conf.__seq__;
  const s2 = new PluginsIterator(snap([{ ...p }]), catalog, seqs).lookup('a', null, null, null)!.conf.__seq__;
  const s3 = new PluginsIterator(snap([{ ...p, config: { x: 2 } }]), catalog, seqs).lookup('a', null, null, null)!.conf.__seq__;
  expect(s2).toBe(s1);
  expect(s3).not.toBe(s1);
});
