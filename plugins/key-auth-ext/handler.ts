/**
 * key-auth-ext access handler. Behaviour follows Kong's bundled key-auth
 * (`kong/plugins/key-auth/handler.lua`) — key search, duplicate/missing/invalid answers,
 * `kong.client.authenticate`, X-Consumer-* upstream headers, anonymous "logical OR" — and adds
 * hashed keys, validity periods, scopes, per-key CIDRs and brute-force lockout.
 *
 * Answers (JSON `{message, code, request_id}`):
 *   401 KEY_MISSING        "No API key found in request"        (WWW-Authenticate)
 *   401 KEY_DUPLICATE      "Duplicate API key found"            (WWW-Authenticate)
 *   401 KEY_INVALID        "Unauthorized"                       (unknown key, or not yet valid)
 *   401 KEY_EXPIRED        "API key expired"                    (the one distinguishable case)
 *   403 INSUFFICIENT_SCOPE "Insufficient scope"
 *   403 IP_NOT_ALLOWED     "IP address not allowed"
 *   429 LOCKED_OUT         "Too many failed authentication attempts" (Retry-After)
 *   500 SERVER_ERROR       "An unexpected error occurred"
 * With `anonymous`, the 401 cases authenticate the anonymous consumer instead; 403/429 stay.
 *
 * RPC budget (success, key in a header, lockout on): get_headers, get_forwarded_ip, authenticate,
 * set_headers = 4; +1 per spoofed X-Consumer-… or X-Anonymous-Consumer header to clear, +1 for
 * hide_credentials, +1 load_consumer on a consumer cache miss. Failure paths add get_method,
 * get_path_with_query and get_var(kong_request_id) (for the answer and the event).
 *
 * Every exception is caught and answered 500 (fail closed: an auth plugin must not let a request
 * through because it crashed; the plugin server would otherwise turn the exception into a pass).
 */
import { normalizeIp } from '../common/net';
import type { Kong, KongConsumer } from '../common/pdk';
import { sharedReporter, type EventInput, type Reporter } from '../common/reporter';
import { RequestSnapshot } from '../common/request-snapshot';
import { storeFor, type WindowStore } from '../common/window-counter';
import { authFailKey, lockoutKey } from '../common/keyspace';
import { greylistIp } from '../common/greylist';
import { maskCredential } from '../common/mask';
import { buildSettings, type KeyAuthSettings } from './config';
import { KeyFinder, type KeySearch } from './extract';
import type { KeyEntry } from './keys';

export const HEADERS = {
  consumerId: 'X-Consumer-ID',
  consumerCustomId: 'X-Consumer-Custom-ID',
  consumerUsername: 'X-Consumer-Username',
  credentialIdentifier: 'X-Credential-Identifier',
  anonymous: 'X-Anonymous-Consumer',
} as const;

export type ErrorCode =
  | 'KEY_MISSING'
  | 'KEY_DUPLICATE'
  | 'KEY_INVALID'
  | 'KEY_EXPIRED'
  | 'INSUFFICIENT_SCOPE'
  | 'IP_NOT_ALLOWED'
  | 'LOCKED_OUT'
  | 'SERVER_ERROR';

interface Failure {
  status: number;
  code: ErrorCode;
  message: string;
  headers?: Record<string, string>;
}

const MESSAGES: Record<ErrorCode, [number, string]> = {
  KEY_MISSING: [401, 'No API key found in request'],
  KEY_DUPLICATE: [401, 'Duplicate API key found'],
  KEY_INVALID: [401, 'Unauthorized'],
  KEY_EXPIRED: [401, 'API key expired'],
  INSUFFICIENT_SCOPE: [403, 'Insufficient scope'],
  IP_NOT_ALLOWED: [403, 'IP address not allowed'],
  LOCKED_OUT: [429, 'Too many failed authentication attempts'],
  SERVER_ERROR: [500, 'An unexpected error occurred'],
};

export interface HandlerDeps {
  clock?: () => number;
  env?: NodeJS.ProcessEnv;
  /** Overrides (tests): otherwise built from the config. */
  store?: WindowStore;
  reporter?: Reporter | null;
}

export class KeyAuthExtHandler {
  readonly conf: KeyAuthSettings;
  private readonly clock: () => number;
  private readonly store: WindowStore | undefined;
  private readonly reporter: Reporter | null;
  private warningsLogged = false;
  private readonly consumers = new Map<string, { consumer: KongConsumer; until: number }>();

  constructor(rawConfig: unknown, deps: HandlerDeps = {}) {
    this.conf = buildSettings(rawConfig, deps.env ?? process.env);
    this.clock = deps.clock ?? Date.now;
    const c = this.conf;
    this.store = deps.store ?? (c.lockout.enabled || c.greylist.enabled ? storeFor({ policy: c.policy, ...c.redis }) : undefined);
    if (deps.reporter !== undefined) this.reporter = deps.reporter;
    else if (c.reporting.collectorUrl && c.reporting.reportFailures) {
      this.reporter = sharedReporter({ endpoint: c.reporting.collectorUrl, token: c.reporting.collectorToken, spoolDir: c.reporting.spoolDir });
    } else this.reporter = null;
  }

  async access(kong: Kong): Promise<void> {
    const snap = new RequestSnapshot(kong);
    try {
      await this.logConfigWarnings(kong);
      const failure = await this.authenticate(kong, snap);
      if (failure) return await this.reject(kong, snap, failure);
    } catch (err) {
      // Fail closed: the plugin server would turn an escaped exception into a pass.
      try {
        await kong.log.err(`key-auth-ext: ${(err as Error)?.stack ?? String(err)}`);
      } catch {
        /* logging is best effort; the exit is what matters */
      }
      return await this.reject(kong, snap, failure('SERVER_ERROR'));
    }
  }

  private async logConfigWarnings(kong: Kong): Promise<void> {
    if (!this.warningsLogged) {
      this.warningsLogged = true;
      for (const w of this.conf.warnings) await kong.log.warn(`key-auth-ext config: ${w}`);
    }
    const storeError = this.store?.takeError();
    if (storeError) await kong.log.warn(`key-auth-ext: ${storeError}`);
  }

  /** undefined = the request may proceed (authenticated, anonymous, or skipped). */
  private async authenticate(kong: Kong, snap: RequestSnapshot): Promise<Failure | undefined> {
    const c = this.conf;
    if (!c.runOnPreflight && (await snap.method()) === 'OPTIONS') return undefined;
    if (c.anonymous && (await kong.client.getCredential())) return undefined; // logical OR: already authenticated

    const ip = c.lockout.enabled ? await this.clientIp(snap) : undefined;
    if (ip && this.store) {
      const ban = await this.store.banned(lockoutKey(c.scopeId, ip));
      if (ban) {
        const retryAfter = Math.max(1, Math.ceil(ban.remainingMs / 1000));
        await this.report(kong, snap, { kind: 'brute_force', status: 429, rule: 'lockout', extra: { retry_after: retryAfter } });
        return failure('LOCKED_OUT', { 'Retry-After': String(retryAfter) });
      }
    }

    const finder = new KeyFinder(c, snap);
    const search = await finder.find();
    if (search.status === 'missing') return this.orAnonymous(kong, snap, failure('KEY_MISSING'));
    if (search.status === 'duplicate') return this.orAnonymous(kong, snap, failure('KEY_DUPLICATE'));

    const now = this.clock();
    const matches = c.keys.find(search.key);
    if (matches.length === 0) {
      await this.countFailure(kong, snap, search, ip);
      return this.orAnonymous(kong, snap, failure('KEY_INVALID'));
    }
    // Rotation: the same secret may be configured more than once; the first entry valid now wins.
    const valid = matches.find((k) => inPeriod(k, now));
    if (!valid) {
      const expired = matches.some((k) => k.expiresAt !== undefined && now >= k.expiresAt);
      const entry = matches[0];
      if (expired) {
        await this.report(kong, snap, { kind: 'policy', status: 401, rule: 'key_expired', credential: entry.id });
        return this.orAnonymous(kong, snap, failure('KEY_EXPIRED'));
      }
      return this.orAnonymous(kong, snap, failure('KEY_INVALID')); // not yet valid: no hint
    }

    if (valid.allowedCidrs) {
      const clientIp = ip ?? (await this.clientIp(snap));
      if (!clientIp || !valid.allowedCidrs.has(clientIp)) {
        await this.report(kong, snap, { kind: 'policy', status: 403, rule: 'ip_not_allowed', credential: valid.id });
        return failure('IP_NOT_ALLOWED');
      }
    }
    const missingScopes = c.requiredScopes.filter((s) => !valid.scopes.has(s));
    if (missingScopes.length > 0) {
      await this.report(kong, snap, { kind: 'policy', status: 403, rule: 'insufficient_scope', credential: valid.id, extra: { missing_scopes: missingScopes } });
      return failure('INSUFFICIENT_SCOPE');
    }

    const consumer = await this.loadConsumer(kong, valid.consumer);
    if (!consumer) {
      await kong.log.err(`key-auth-ext: consumer "${valid.consumer}" of key ${valid.id} not found`);
      return this.orAnonymous(kong, snap, failure('SERVER_ERROR'));
    }
    if (c.hideCredentials) await finder.hide(search, kong.service.request);
    await kong.client.authenticate(consumer, { id: valid.id, consumer: { id: consumer.id } });
    await this.setUpstreamHeaders(kong, snap, consumer, valid.id);
    return undefined;
  }

  private async clientIp(snap: RequestSnapshot): Promise<string | undefined> {
    const raw = await snap.clientIp();
    return normalizeIp(raw) ?? (raw || undefined);
  }

  private async loadConsumer(kong: Kong, idOrUsername: string): Promise<KongConsumer | undefined> {
    const now = this.clock();
    const hit = this.consumers.get(idOrUsername);
    if (hit && hit.until > now) return hit.consumer;
    const consumer = await kong.client.loadConsumer(idOrUsername, true);
    if (consumer && typeof consumer === 'object' && typeof consumer.id === 'string') {
      if (this.conf.consumerCacheTtlMs > 0) {
        if (this.consumers.size >= 10_000) this.consumers.clear();
        this.consumers.set(idOrUsername, { consumer, until: now + this.conf.consumerCacheTtlMs });
      }
      return consumer;
    }
    this.consumers.delete(idOrUsername);
    return undefined;
  }

  /**
   * X-Consumer-* like Kong's key-auth `set_consumer`. Present values go in ONE set_headers call;
   * absent ones are cleared only when the client actually sent them (anti-spoofing without
   * paying a clear_header round trip per request).
   */
  private async setUpstreamHeaders(kong: Kong, snap: RequestSnapshot, consumer: KongConsumer, credentialId: string | null): Promise<void> {
    const set: Record<string, string> = { [HEADERS.consumerId]: consumer.id };
    const clear: string[] = [];
    if (typeof consumer.custom_id === 'string' && consumer.custom_id) set[HEADERS.consumerCustomId] = consumer.custom_id;
    else clear.push(HEADERS.consumerCustomId);
    if (typeof consumer.username === 'string' && consumer.username) set[HEADERS.consumerUsername] = consumer.username;
    else clear.push(HEADERS.consumerUsername);
    if (credentialId) {
      set[HEADERS.credentialIdentifier] = credentialId;
      clear.push(HEADERS.anonymous);
    } else {
      set[HEADERS.anonymous] = 'true';
      clear.push(HEADERS.credentialIdentifier);
    }
    await kong.service.request.setHeaders(set);
    const sent = await snap.headers();
    for (const name of clear) if (sent[name.toLowerCase()] !== undefined) await kong.service.request.clearHeader(name);
  }

  /** Logical OR (anonymous configured): a 401-class failure authenticates the anonymous consumer. */
  private async orAnonymous(kong: Kong, snap: RequestSnapshot, f: Failure): Promise<Failure | undefined> {
    const anonymous = this.conf.anonymous;
    if (!anonymous) return f;
    const consumer = await this.loadConsumer(kong, anonymous);
    if (!consumer) {
      await kong.log.err(`key-auth-ext: anonymous consumer ${anonymous} is configured but doesn't exist`);
      return failure('SERVER_ERROR');
    }
    await kong.client.authenticate(consumer);
    await this.setUpstreamHeaders(kong, snap, consumer, null);
    return undefined;
  }

  private async countFailure(kong: Kong, snap: RequestSnapshot, search: Extract<KeySearch, { status: 'found' }>, ip: string | undefined): Promise<void> {
    const c = this.conf;
    let failures: number | undefined;
    let lockedNow = false;
    if (ip && this.store) {
      const result = await this.store.hit(authFailKey(c.scopeId, ip), {
        windowSeconds: c.lockout.windowS,
        algorithm: c.lockout.windowType,
        limit: c.lockout.maxFailures,
        ban: {
          key: lockoutKey(c.scopeId, ip),
          seconds: c.lockout.lockoutS,
          reason: `key-auth-ext: ${c.lockout.maxFailures} invalid keys in ${c.lockout.windowS}s`,
        },
      });
      failures = Math.round(result.count * 100) / 100;
      lockedNow = result.bannedNow;
      if (lockedNow && c.greylist.enabled) {
        await greylistIp(this.store, ip, c.greylist.durationS, `key-auth-ext: brute force (${c.lockout.maxFailures} invalid keys in ${c.lockout.windowS}s)`);
      }
    }
    await this.report(kong, snap, {
      kind: 'brute_force',
      status: 401,
      rule: lockedNow ? 'lockout' : 'invalid_key',
      finding: { type: 'invalid_api_key', point: `${search.location}.${search.name}`, excerpt: maskCredential(search.key) },
      extra: {
        failures,
        max_failures: c.lockout.enabled ? c.lockout.maxFailures : null,
        window: c.lockout.windowS,
        locked_out: lockedNow,
        lockout_seconds: lockedNow ? c.lockout.lockoutS : undefined,
        greylisted: lockedNow && c.greylist.enabled ? true : undefined,
      },
    });
  }

  /** The LAST PDK call of the handler: nothing may follow `exit` (Kong never answers it). */
  private async reject(kong: Kong, snap: RequestSnapshot, f: Failure): Promise<void> {
    const requestId = await snap.requestId();
    const headers: Record<string, string> = { ...(f.headers ?? {}) };
    if (f.status === 401) headers['WWW-Authenticate'] = this.conf.realm ? `Key realm="${this.conf.realm}"` : 'Key';
    await kong.response.exit(f.status, { message: f.message, code: f.code, request_id: requestId }, headers);
  }

  /**
   * Gathers the event's request data (PDK calls, so it is awaited: every call must be answered
   * before the handler exits) and enqueues it; delivery is asynchronous and never throws here.
   */
  private async report(
    kong: Kong,
    snap: RequestSnapshot,
    e: { kind: EventInput['kind']; status: number; rule: string; credential?: string; finding?: EventInput['findings'][number]; extra?: Record<string, unknown> },
  ): Promise<void> {
    const reporter = this.reporter;
    if (!reporter) return;
    try {
      const [method, path, ip, headers] = [await snap.method(), await snap.path(), await snap.clientIp(), await snap.headers()];
      const requestId = await snap.requestId();
      reporter.enqueue({
        kind: e.kind,
        plugin: 'key-auth-ext',
        application_id: this.conf.reporting.applicationId,
        request_id: requestId,
        route_id: this.conf.routeId,
        service_id: this.conf.serviceId,
        consumer_id: null,
        client_ip: ip,
        host: headers['host']?.[0] ?? null,
        method,
        path,
        attack_types: e.kind === 'brute_force' ? ['brute_force'] : [],
        action: 'blocked',
        status: e.status,
        rule: e.rule,
        findings: e.finding ? [e.finding] : [],
        extra: { ...(e.extra ?? {}), ...(e.credential ? { credential_id: e.credential } : {}) },
      });
    } catch {
      /* reporting must never change the answer */
    }
  }
}

function failure(code: ErrorCode, headers?: Record<string, string>): Failure {
  const [status, message] = MESSAGES[code];
  return { status, code, message, headers };
}

/** Valid at `now` (ms): not_before <= now < expires_at. Checked to the millisecond. */
export function inPeriod(k: KeyEntry, now: number): boolean {
  if (k.notBefore !== undefined && now < k.notBefore) return false;
  if (k.expiresAt !== undefined && now >= k.expiresAt) return false;
  return true;
}
