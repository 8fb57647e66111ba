/**
 * api-waf's access phase. Reads the request in as few PDK round trips as Kong allows (4 for a request
 * without a body, 5 with one; every PDK call is an RPC to Kong), inspects it with the detection library,
 * decides by mode and IP standing, reports events in the background and blocks explicitly with
 * `kong.response.exit`: Kong fails OPEN on any plugin-server error, so blocking and fail-closed must be
 * done by this code, never left to an exception.
 */
import { createHash, randomUUID } from 'node:crypto';
import { inspect } from '../../lib';
import type { Finding, HttpRequest, Verdict } from '../../lib/types';
import { greylistHitsKey, greylistKey } from '../common/keyspace';
import { maskSecrets } from '../common/mask';
import { normalizeIp } from '../common/net';
import { sharedIpLists, type IpListSync } from '../common/ip-lists';
import { asMultiMap, type HeaderMap, type Kong } from '../common/pdk';
import { sharedReporter, type EventInput, type EventKind, type Reporter } from '../common/reporter';
import { storeFor, type WindowStore } from '../common/window-counter';
import { isSkipped, parseConfig, type WafConfig } from './config';
import { debugRequested, graphqlViolations, type PolicyViolation } from './graphql-policy';
import { discoveryFor, type Discovery } from './discovery';
import { OpenApiEnforcer, type Violation } from './openapi';
import { RuleSet, type RuleHit } from './rules';
import { decideAttack, decideByIp, type Decision, type IpStanding } from './policy';

const MAX_HEADERS = 1000;
const MAX_FINDINGS_REPORTED = 16;
/** Finding types that describe a policy, not an attack class, so they stay out of `attack_types`. */
const NON_ATTACK_FINDINGS = new Set(['limit', 'graphql_policy', 'unknown_endpoint', 'unknown_parameter', 'missing_parameter', 'invalid_parameter', 'invalid_body', 'wrong_content_type']);

/** What one request's handling produced; exported for tests and the log line. */
export interface Outcome {
  decision: Decision | null;
  verdict: Verdict | null;
  violations: PolicyViolation[];
  /** OpenAPI violations kept after exceptions, and custom-rule hits. */
  apiViolations: Violation[];
  ruleHits: RuleHit[];
  requestId: string;
  pdkCalls: number;
}

export class ApiWafHandler {
  readonly config: WafConfig;
  readonly warnings: string[];
  private readonly reporter: Reporter | null;
  private readonly store: WindowStore | null;
  /** Deny/grey/allow entries pulled from the collector (operator lists for the whole fleet). */
  private readonly fleetLists: IpListSync | null;
  /** OpenAPI enforcement (compiled once per document, cached by content hash); null when not configured. */
  private readonly openapi: OpenApiEnforcer | null;
  /** Set when the configured OpenAPI document is broken: every request then fails per fail_mode. */
  private readonly openapiError: string | null;
  private readonly rules: RuleSet;
  /** API discovery: the inventory built from what this phase already read (no extra PDK calls); null when off. */
  private readonly discovery: Discovery | null;
  private warned = false;

  constructor(rawConfig: unknown) {
    const { config, warnings } = parseConfig(rawConfig);
    this.config = config;
    this.warnings = warnings;
    const raw = (rawConfig ?? {}) as Record<string, unknown>;
    const oa = OpenApiEnforcer.fromConfig(raw.openapi, config.limits.maxBodyBytes);
    this.openapi = oa.enforcer;
    this.openapiError = oa.error;
    if (oa.error) warnings.push(oa.error);
    const rules = RuleSet.fromConfig(raw);
    this.rules = rules.ruleSet;
    warnings.push(...rules.warnings);
    this.discovery = discoveryFor(raw.discovery, { collectorUrl: config.reporting.collectorUrl, token: config.reporting.token, nodeId: config.reporting.nodeId }, { routeId: config.routeId, serviceId: config.serviceId });
    const rep = config.reporting;
    this.reporter = rep.collectorUrl
      ? sharedReporter({
          endpoint: rep.collectorUrl,
          token: rep.token,
          nodeId: rep.nodeId ?? undefined,
          batchSize: rep.batchSize,
          flushIntervalMs: rep.flushIntervalMs,
          maxQueue: rep.queueSize,
          spoolDir: rep.spoolDir,
          maxSpoolBytes: rep.spoolMaxBytes,
        })
      : null;
    this.fleetLists =
      config.syncFromCollector && rep.collectorUrl
        ? sharedIpLists({ endpoint: rep.collectorUrl, token: rep.token, intervalMs: config.syncIntervalS * 1000 })
        : null;
    const g = config.greylisting;
    this.store =
      g.enabled || config.mode === 'safe_blocking'
        ? storeFor({ policy: g.policy, host: g.redis.host, port: g.redis.port, password: g.redis.password, database: g.redis.database, prefix: g.redis.prefix, timeoutMs: g.redis.timeoutMs })
        : null;
  }

  async access(kong: Kong): Promise<void> {
    const cfg = this.config;
    if (cfg.mode === 'off') return;
    let requestId = '';
    try {
      if (!this.warned && this.warnings.length > 0) {
        this.warned = true;
        await kong.log.warn(JSON.stringify({ plugin: 'api-waf', config_warnings: this.warnings }));
      }
      const outcome = await this.handle(kong);
      requestId = outcome.requestId;
      const d = outcome.decision;
      if (d?.block) {
        const status = d.reason === 'ip:denylist' ? cfg.block.denylistStatus : cfg.block.status;
        return await kong.response.exit(status, { message: cfg.block.message, request_id: outcome.requestId }, { [cfg.requestIdHeader]: outcome.requestId });
      }
    } catch (err) {
      return this.failed(kong, err, requestId);
    }
  }

  /** The whole decision for one request. Makes no call after it has decided to block (exit is the caller's). */
  async handle(kong: Kong): Promise<Outcome> {
    const cfg = this.config;
    let pdkCalls = 4;
    const [method, pathWithQuery, rawHeaders, clientIp] = await Promise.all([
      kong.request.getMethod(),
      kong.request.getPathWithQuery(),
      kong.request.getHeaders(MAX_HEADERS),
      kong.client.getForwardedIp(),
    ]);
    const q = pathWithQuery.indexOf('?');
    const path = q < 0 ? pathWithQuery : pathWithQuery.slice(0, q);
    const query = q < 0 ? '' : pathWithQuery.slice(q + 1);
    const headers = asMultiMap(rawHeaders);
    const requestId = firstHeader(headers, cfg.requestIdHeader) ?? randomUUID();
    const outcome: Outcome = { decision: null, verdict: null, violations: [], apiViolations: [], ruleHits: [], requestId, pdkCalls };
    if (isSkipped(cfg, method, path)) return outcome;
    if (this.openapiError) throw new Error(this.openapiError);

    const ip = normalizeIp(clientIp) ?? clientIp;
    const standing: IpStanding = { allowed: cfg.allow.has(ip), denied: cfg.deny.has(ip), greylisted: cfg.grey.has(ip) };
    const fleet = this.fleetLists?.match(ip);
    if (fleet?.list === 'allow') standing.allowed = true;
    else if (fleet?.list === 'deny') standing.denied = true;
    else if (fleet?.list === 'grey') standing.greylisted = true;
    const base = { method, path, ip, host: firstHeader(headers, 'host') ?? null, requestId };

    const denied = decideByIp(standing);
    if (denied) {
      outcome.decision = denied;
      this.report('denylisted_ip', base, denied, [], 'ip:denylist', denied.reason);
      return outcome;
    }

    // The body: only when the request announces one, and never more than the inspection cap. Asking Kong
    // for a body larger than the cap would be a Lua error (HTTP 500), so an oversize body is not read at all
    // and is reported as a limit event instead (the policy decides).
    let body: Uint8Array | null = null;
    const lengthHeader = firstHeader(headers, 'content-length');
    const contentLength = Number(lengthHeader ?? '0');
    // HTTP/2 (gRPC) and chunked requests announce a body without a length: a content type is the sign.
    const unannounced = lengthHeader === undefined && ((firstHeader(headers, 'transfer-encoding') ?? '').toLowerCase().includes('chunked') || firstHeader(headers, 'content-type') !== undefined);
    let bodyTooLarge = false;
    if (contentLength > cfg.limits.maxBodyBytes) bodyTooLarge = true;
    else if (contentLength > 0 || unannounced) {
      pdkCalls++;
      body = (await kong.request.getRawBody(cfg.limits.maxBodyBytes)) ?? null;
    }
    outcome.pdkCalls = pdkCalls;

    const request: HttpRequest = { method, path, query, headers, body };
    const line = { method, path };
    // exceptions silence detector findings at their points (false-positive tuning) before anything decides
    const verdict = this.rules.exceptVerdict(line, inspect(request, { limits: cfg.limits, detectors: cfg.detectors })).verdict;
    outcome.verdict = verdict;
    this.discovery?.observe(request, verdict);
    outcome.ruleHits = this.rules.needsPoints ? this.rules.match(request, undefined, cfg.limits) : [];
    let apiBlock = false;
    if (this.openapi) {
      const check = this.openapi.check(request);
      outcome.apiViolations = this.rules.exceptViolations(line, check.reported).kept;
      apiBlock = outcome.apiViolations.some((v) => this.openapi!.policy[v.class] === 'block');
    }
    const ruleBlock = outcome.ruleHits.some((h) => h.action === 'block');
    if (bodyTooLarge) verdict.limits.push({ kind: 'body_truncated', point: 'body', detail: `body of ${contentLength} bytes exceeds max_body_bytes ${cfg.limits.maxBodyBytes}; not inspected` });

    if (verdict.parse.graphql && cfg.graphql.paths.includes(path)) {
      outcome.violations = graphqlViolations(verdict.parse.graphql, cfg.graphql, debugRequested(query, body ? Buffer.from(body).toString('utf8') : ''));
    }
    const budgetExhausted = verdict.limits.some((l) => l.kind === 'budget_exhausted');
    if (budgetExhausted && cfg.failMode === 'closed') throw new InspectionTimeout(`inspection exceeded time_budget_ms ${cfg.limits.timeBudgetMs}`);
    const limitBlocks = cfg.onLimit === 'block' && verdict.limits.length > 0;

    const mode = cfg.mode as Exclude<WafConfig['mode'], 'off'>;
    if (verdict.attack || outcome.violations.length > 0 || limitBlocks || ruleBlock || apiBlock) {
      if (cfg.mode === 'safe_blocking' && !standing.greylisted && !standing.allowed && this.store) {
        standing.greylisted = (await this.store.banned(greylistKey(ip))) !== undefined;
      }
      const decision = decideAttack(mode, standing);
      outcome.decision = decision;
      const blockingHit = outcome.ruleHits.find((h) => h.action === 'block');
      const kind: EventKind = verdict.attack || blockingHit ? 'attack' : apiBlock ? 'api_violation' : 'policy';
      // the event names what decided: the custom rule, the OpenAPI class, the GraphQL/limit policy or the detector
      const rule = blockingHit?.rule ?? (verdict.attack ? null : apiBlock ? outcome.apiViolations.find((v) => this.openapi!.policy[v.class] === 'block')?.rule : null) ?? (outcome.violations[0]?.rule ?? (limitBlocks ? 'limits' : 'detector'));
      this.report(kind, base, decision, this.findingsOf(verdict, outcome.violations, outcome.ruleHits, outcome.apiViolations), rule, decision.reason);
      if (verdict.attack) void this.countForGreylist(ip, verdict);
    } else if (outcome.ruleHits.length > 0 || outcome.apiViolations.length > 0) {
      // report-only custom rules and OpenAPI classes: reported, never blocking
      const passed: Decision = { block: false, action: 'passed', reason: 'report-only' };
      const kind: EventKind = outcome.ruleHits.length > 0 ? 'attack' : 'api_violation';
      const rule = outcome.ruleHits[0]?.rule ?? outcome.apiViolations[0]?.rule ?? null;
      this.report(kind, base, passed, this.findingsOf(verdict, [], outcome.ruleHits, outcome.apiViolations), rule, passed.reason);
    } else if (verdict.limits.length > 0 && cfg.onLimit === 'report') {
      this.report('policy', base, { block: false, action: 'passed', reason: 'limits' }, this.findingsOf(verdict, []), 'limits', 'limits');
    }
    return outcome;
  }

  private findingsOf(verdict: Verdict, violations: PolicyViolation[], hits: RuleHit[] = [], apiViolations: Violation[] = []): EventInput['findings'] {
    const out: EventInput['findings'] = verdict.findings.slice(0, MAX_FINDINGS_REPORTED).map((f: Finding) => ({
      type: f.type,
      point: f.point,
      excerpt: maskSecrets(f.excerpt),
      confidence: f.confidence,
      detail: f.detail,
    }));
    for (const v of violations) out.push({ type: 'graphql_policy', point: v.point, detail: `${v.rule}: ${v.detail}` });
    for (const h of hits.slice(0, 8)) out.push({ type: h.type, point: h.point, excerpt: maskSecrets(h.excerpt), detail: h.rule });
    for (const v of apiViolations.slice(0, 8)) out.push({ type: v.class, point: v.point, detail: v.reason.slice(0, 256) });
    for (const l of verdict.limits.slice(0, 8)) out.push({ type: 'limit', point: l.point ?? 'request', detail: `${l.kind}: ${l.detail}` });
    return out;
  }

  /** Automatic greylisting: more than `threshold` distinct malicious payloads within the window. */
  private async countForGreylist(ip: string, verdict: Verdict): Promise<void> {
    const g = this.config.greylisting;
    if (!g.enabled || !this.store) return;
    try {
      const payload = verdict.findings.map((f) => `${f.type}\u0000${f.point}\u0000${f.excerpt}`).join('\u0001');
      const item = createHash('sha256').update(payload).digest('base64url');
      await this.store.addDistinct(greylistHitsKey(ip), item, {
        windowSeconds: g.windowS,
        limit: g.threshold + 1,
        ban: { key: greylistKey(ip), seconds: g.durationS, reason: `more than ${g.threshold} distinct malicious payloads in ${g.windowS}s` },
      });
    } catch {
      // Counting is best effort; the store already degrades to local counting when Redis fails.
    }
  }

  private report(kind: EventKind, base: { method: string; path: string; ip: string; host: string | null; requestId: string }, decision: Decision, findings: EventInput['findings'], rule: string | null, reason: string): void {
    if (!this.reporter) return;
    const cfg = this.config;
    this.reporter.enqueue({
      kind,
      plugin: 'api-waf',
      application_id: cfg.applicationId,
      request_id: base.requestId,
      route_id: cfg.routeId,
      service_id: cfg.serviceId,
      consumer_id: null,
      client_ip: base.ip,
      host: base.host,
      method: base.method,
      path: base.path,
      attack_types: [...new Set(findings.filter((f) => !NON_ATTACK_FINDINGS.has(f.type)).map((f) => f.type))],
      action: decision.action,
      mode: cfg.mode,
      status: decision.block ? (decision.reason === 'ip:denylist' ? cfg.block.denylistStatus : cfg.block.status) : null,
      rule,
      findings,
      extra: { decided_by: reason },
    });
  }

  /** Internal error or inspection timeout: fail open (log, let through) or closed (503), as configured. */
  private async failed(kong: Kong, err: unknown, requestId: string): Promise<void> {
    const cfg = this.config;
    const id = requestId || randomUUID();
    const message = err instanceof Error ? err.message : String(err);
    try {
      await kong.log.err(JSON.stringify({ plugin: 'api-waf', event: 'internal_error', fail_mode: cfg.failMode, request_id: id, error: message }));
    } catch {
      // logging is best effort
    }
    if (cfg.failMode === 'closed') {
      return kong.response.exit(503, { message: 'Request could not be inspected', request_id: id }, { [cfg.requestIdHeader]: id });
    }
  }
}

class InspectionTimeout extends Error {}

function firstHeader(headers: HeaderMap, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : typeof v === 'string' ? v : undefined;
}
