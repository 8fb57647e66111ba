/**
 * The event-leak fix, in-process against kong-pdk 0.6.0's real Server class: exit/error and
 * "ret"-on-HandleEvent events leave the events map; normal events behave as before.
 */
import path from 'node:path';
import { applyLeakFix, isTerminalReply, type PluginServerLike } from './leak-fix';
import { takeNoLeakFixFlag, installedKongPdkVersion, PINNED_KONG_PDK_VERSION } from './server';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const Server = require('kong-pdk/server') as new (dir: string, logger: unknown) => PluginServerLike & {
  StartInstance(c: { Name: string; Config: string }): Promise<{ Id: number }>;
  Step(d: { EventId: number; Data?: unknown }): Promise<{ Data: unknown; EventId: number }>;
  close(): void;
};

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const fixtures = path.resolve(__dirname, '..', '..', 'spec', 'fixtures', 'plugins');

function newServer(plugin: string, fixed: boolean) {
  const s = new Server(path.join(fixtures, plugin), quiet);
  s.close(); // no expiry timer, as the CLI
  return fixed ? applyLeakFix(s) : s;
}

async function blockOnce(s: ReturnType<typeof newServer>, iid: number): Promise<void> {
  const first = await s.HandleEvent({ InstanceId: iid, EventName: 'access' });
  expect(first.Data).toEqual({ Method: 'kong.request.get_header', Args: ['x-block'] });
  const second = await s.Step({ EventId: first.EventId, Data: 'yes' });
  expect((second.Data as { Method: string }).Method).toBe('kong.response.exit');
  // Kong never answers the exit: nothing more is sent for this event.
}

test('pinned kong-pdk version is installed', () => {
  expect(installedKongPdkVersion()).toBe(PINNED_KONG_PDK_VERSION);
});

test('terminal replies', () => {
  expect(isTerminalReply('ret')).toBe(true);
  expect(isTerminalReply({ Method: 'kong.response.exit', Args: [403] })).toBe(true);
  expect(isTerminalReply({ Method: 'kong.response.error', Args: [403] })).toBe(true);
  expect(isTerminalReply({ Method: 'kong.request.get_header', Args: ['x'] })).toBe(false);
});

test('unfixed server leaks one event per exit; fixed server none', async () => {
  for (const fixed of [false, true]) {
    const s = newServer('waf-demo', fixed);
    const { Id } = await s.StartInstance({ Name: 'waf-demo', Config: JSON.stringify({ block_header: 'x-block', score: 1, message: 'm' }) });
    for (let i = 0; i < 5; i++) await blockOnce(s, Id);
    expect(s.events.size).toBe(fixed ? 0 : 5);
  }
});

test('unfixed server leaks events whose HandleEvent reply is "ret"; fixed server none', async () => {
  for (const fixed of [false, true]) {
    const s = newServer('silent', fixed);
    const { Id } = await s.StartInstance({ Name: 'silent', Config: '{}' });
    for (let i = 0; i < 3; i++) expect((await s.HandleEvent({ InstanceId: Id, EventName: 'access' })).Data).toBe('ret');
    // a phase the class does not implement also answers "ret" straight away
    expect((await s.HandleEvent({ InstanceId: Id, EventName: 'rewrite' })).Data).toBe('ret');
    expect(s.events.size).toBe(fixed ? 0 : 4);
  }
});

test('normal events are unchanged by the fix (same messages, event removed on ret)', async () => {
  const transcripts: unknown[][] = [];
  for (const fixed of [false, true]) {
    const s = newServer('waf-demo', fixed);
    const { Id } = await s.StartInstance({ Name: 'waf-demo', Config: JSON.stringify({ block_header: 'x-block', score: 7, message: 'm' }) });
    const t: unknown[] = [];
    let r = await s.HandleEvent({ InstanceId: Id, EventName: 'access' });
    t.push(r.Data);
    expect(s.events.size).toBe(1); // an event in progress stays until it ends
    r = await s.Step({ EventId: r.EventId }); // header absent (nil)
    t.push(r.Data);
    r = await s.Step({ EventId: r.EventId });
    t.push(r.Data);
    r = await s.Step({ EventId: r.EventId });
    t.push(r.Data);
    expect(r.Data).toBe('ret');
    expect(s.events.size).toBe(0);
    transcripts.push(t);
  }
  expect(transcripts[0]).toEqual(transcripts[1]);
  expect(transcripts[1]).toEqual([
    { Method: 'kong.request.get_header', Args: ['x-block'] },
    { Method: 'kong.service.request.set_header', Args: ['x-waf-seen', '7'] },
    { Method: 'kong.response.set_header', Args: ['x-waf-message', 'm'] },
    'ret',
  ]);
});

test('--no-leak-fix flag and env switch', () => {
  expect(takeNoLeakFixFlag(['node', 's', '-d', '/x'], {})).toEqual({ argv: ['node', 's', '-d', '/x'], leakFix: true });
  expect(takeNoLeakFixFlag(['node', 's', '--no-leak-fix', '-d', '/x'], {})).toEqual({ argv: ['node', 's', '-d', '/x'], leakFix: false });
  expect(takeNoLeakFixFlag(['node', 's'], { KONG_SHIELD_NO_LEAK_FIX: '1' }).leakFix).toBe(false);
});
