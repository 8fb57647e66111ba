/**
 * Event-leak fix for kong-pdk 0.6.0's plugin server (`server.js`).
 *
 * The server keeps one entry per event in `events` (event id -> pipe) and deletes it only when "ret"
 * arrives in reply to a Step. Two kinds of events therefore never leave the map
 * (protocol notes §2.6, §4.3):
 *   1. events whose handler called `kong.response.exit` / `kong.response.error`: Kong never answers
 *      those calls, so no further Step arrives for the event;
 *   2. events whose HandleEvent reply is already "ret" (the handler made no PDK call, or the class
 *      does not implement the phase).
 * The fix wraps the two places where the server produces a reply and drops the event as soon as the
 * reply is terminal for Kong. Nothing else changes: the same messages go over the wire.
 */

/** The parts of kong-pdk's `Server` the fix touches (server.js is untyped JavaScript). */
export interface PluginServerLike {
  events: Map<number, unknown>;
  HandleEvent(event: { InstanceId: number; EventName: string }): Promise<EventReply>;
  step(data: { EventId: number; Data?: unknown }, isError: boolean): Promise<EventReply>;
}

export interface EventReply {
  Data: unknown;
  EventId: number;
}

/** PDK calls Kong never answers (kong-pdk `pdk.js`: NON_RETURN_METHODS). */
export const NON_RETURNING_METHODS: ReadonlySet<string> = new Set(['kong.response.exit', 'kong.response.error']);

/** True when Kong will send nothing more for the event that produced this reply. */
export function isTerminalReply(data: unknown): boolean {
  if (data === 'ret') return true;
  if (data !== null && typeof data === 'object') {
    const method = (data as { Method?: unknown }).Method;
    return typeof method === 'string' && NON_RETURNING_METHODS.has(method);
  }
  return false;
}

const PATCHED = Symbol.for('kong-api-shield.leak-fix');

/** Patches one Server instance in place (idempotent). Returns the same object. */
export function applyLeakFix<T extends PluginServerLike>(server: T): T {
  const marked = server as T & { [PATCHED]?: boolean };
  if (marked[PATCHED]) return server;
  marked[PATCHED] = true;

  const handleEvent = server.HandleEvent.bind(server);
  const step = server.step.bind(server);

  server.HandleEvent = async (event) => {
    const reply = await handleEvent(event);
    if (isTerminalReply(reply.Data)) server.events.delete(reply.EventId);
    return reply;
  };
  // `Step`, `StepMultiMap`, `StepCredential`, ... all go through `step` (server.js).
  server.step = async (data, isError) => {
    const reply = await step(data, isError);
    if (isTerminalReply(reply.Data)) server.events.delete(reply.EventId);
    return reply;
  };
  return server;
}
