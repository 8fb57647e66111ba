/**
 * An in-memory PDK for unit tests, implementing `Kong` from pdk.ts with Kong 3.x semantics:
 * first-value results, `undefined` for nil, multimap headers with lower-case names, Uint8Array raw
 * bodies, and `exit` recorded but never "answered" — any PDK call after exit fails the test, as it
 * would hang forever in real Kong. Every call is recorded (`calls`) so tests can count round trips.
 */
import type { HeaderMap, Kong, KongConsumer, KongCredential, ExitBody } from '../pdk';

export interface FakeRequest {
  method?: string;
  /** Path with optional "?query". */
  target?: string;
  headers?: Record<string, string | string[]>;
  body?: string | Uint8Array;
  ip?: string;
}

export interface FakeExit {
  status: number;
  body?: ExitBody;
  headers?: Record<string, string | string[]>;
}

export class FakeKong {
  readonly calls: { method: string; args: unknown[] }[] = [];
  exited: FakeExit | undefined;
  authenticated: { consumer: KongConsumer; credential?: KongCredential } | undefined;
  /** Upstream request changes. */
  readonly upstreamHeaders = new Map<string, string | string[] | null>();
  readonly clearedQueryArgs: string[] = [];
  upstreamBody: string | undefined;
  readonly logs: { level: string; message: string }[] = [];
  consumers: KongConsumer[] = [];
  credential: KongCredential | undefined;
  vars: Record<string, string> = { kong_request_id: 'req-0001' };
  readonly shared = new Map<string, unknown>();
  readonly request: FakeRequest;
  private readonly headers: HeaderMap;

  constructor(request: FakeRequest = {}) {
    this.request = request;
    this.headers = Object.create(null) as HeaderMap;
    for (const [k, v] of Object.entries(request.headers ?? {})) {
      const name = k.toLowerCase();
      this.headers[name] = (this.headers[name] ?? []).concat(Array.isArray(v) ? v : [v]);
    }
    const body = request.body;
    if (body !== undefined && this.headers['content-length'] === undefined) {
      this.headers['content-length'] = [String(typeof body === 'string' ? Buffer.byteLength(body) : body.length)];
    }
  }

  /** Number of PDK calls made (round trips in real Kong). */
  get rpcCount(): number {
    return this.calls.length;
  }

  private call<T>(method: string, args: unknown[], result: () => T): Promise<T> {
    if (this.exited) {
      return Promise.reject(new Error(`PDK call ${method} after kong.response.exit: it would never be answered in Kong`));
    }
    this.calls.push({ method, args });
    return Promise.resolve().then(result);
  }

  private log(level: string) {
    return (...message: unknown[]) => this.call(`kong.log.${level}`, message, () => {
      this.logs.push({ level, message: message.map(String).join(' ') });
      return undefined;
    });
  }

  get kong(): Kong {
    const r = this.request;
    const target = r.target ?? '/';
    const q = target.indexOf('?');
    return {
      request: {
        getMethod: () => this.call('kong.request.get_method', [], () => r.method ?? 'GET'),
        getPath: () => this.call('kong.request.get_path', [], () => (q < 0 ? target : target.slice(0, q))),
        getPathWithQuery: () => this.call('kong.request.get_path_with_query', [], () => target),
        getRawQuery: () => this.call('kong.request.get_raw_query', [], () => (q < 0 ? '' : target.slice(q + 1))),
        getHeader: (name: string) => this.call('kong.request.get_header', [name], () => this.headers[name.toLowerCase()]?.[0]),
        getHeaders: (max?: number) =>
          this.call('kong.request.get_headers', max === undefined ? [] : [max], () =>
            Object.keys(this.headers).length === 0 ? ([] as []) : structuredClone(this.headers),
          ),
        getQuery: () => this.call('kong.request.get_query', [], () => [] as []),
        getRawBody: (max: number) =>
          this.call('kong.request.get_raw_body', [max], () => {
            const b = r.body ?? '';
            return typeof b === 'string' ? new Uint8Array(Buffer.from(b, 'utf8')) : b;
          }),
        getHost: () => this.call('kong.request.get_host', [], () => this.headers.host?.[0] ?? 'localhost'),
        getScheme: () => this.call('kong.request.get_scheme', [], () => 'http'),
        getHttpVersion: () => this.call('kong.request.get_http_version', [], () => 1.1),
      },
      client: {
        getIp: () => this.call('kong.client.get_ip', [], () => r.ip ?? '127.0.0.1'),
        getForwardedIp: () => this.call('kong.client.get_forwarded_ip', [], () => r.ip ?? '127.0.0.1'),
        loadConsumer: (id: string, byUsername: true) =>
          this.call('kong.client.load_consumer', [id, byUsername], () =>
            structuredClone(this.consumers.find((c) => c.id === id) ?? (byUsername ? this.consumers.find((c) => c.username === id) : undefined)),
          ),
        getConsumer: () => this.call('kong.client.get_consumer', [], () => this.authenticated?.consumer),
        getCredential: () => this.call('kong.client.get_credential', [], () => this.credential),
        authenticate: (consumer: KongConsumer, credential?: KongCredential) =>
          this.call('kong.client.authenticate', credential === undefined ? [consumer] : [consumer, credential], () => {
            this.authenticated = { consumer, credential };
            return undefined;
          }),
      },
      response: {
        exit: (status: number, body?: ExitBody, headers?: Record<string, string | string[]>) => {
          if (this.exited) return Promise.reject(new Error('second kong.response.exit'));
          this.calls.push({ method: 'kong.response.exit', args: [status, body, headers] });
          this.exited = { status, body, headers };
          return Promise.resolve(undefined);
        },
        error: (status: number, message?: string, headers?: Record<string, string | string[]>) => {
          this.calls.push({ method: 'kong.response.error', args: [status, message, headers] });
          this.exited = { status, body: { message: message ?? '' }, headers };
          return Promise.resolve(undefined);
        },
        setHeader: (name: string, value: string) => this.call('kong.response.set_header', [name, value], () => undefined),
        getStatus: () => this.call('kong.response.get_status', [], () => 200),
      },
      service: {
        request: {
          setHeader: (name: string, value: string) =>
            this.call('kong.service.request.set_header', [name, value], () => void this.upstreamHeaders.set(name.toLowerCase(), value)),
          setHeaders: (headers: Record<string, string | string[]>) =>
            this.call('kong.service.request.set_headers', [headers], () => {
              for (const [k, v] of Object.entries(headers)) this.upstreamHeaders.set(k.toLowerCase(), v);
              return undefined;
            }),
          clearHeader: (name: string) =>
            this.call('kong.service.request.clear_header', [name], () => void this.upstreamHeaders.set(name.toLowerCase(), null)),
          clearQueryArg: (name: string) => this.call('kong.service.request.clear_query_arg', [name], () => void this.clearedQueryArgs.push(name)),
          setRawQuery: (query: string) => this.call('kong.service.request.set_raw_query', [query], () => undefined),
          setRawBody: (body: string) => this.call('kong.service.request.set_raw_body', [body], () => void (this.upstreamBody = body)),
        },
      },
      log: {
        err: this.log('err'),
        warn: this.log('warn'),
        notice: this.log('notice'),
        info: this.log('info'),
        debug: this.log('debug'),
        serialize: () => this.call('kong.log.serialize', [], () => JSON.stringify({ request: { method: r.method ?? 'GET' } })),
      },
      ctx: {
        shared: {
          get: (key: string) => this.call('kong.ctx.shared.get', [key], () => this.shared.get(key)),
          set: (key: string, value: unknown) => this.call('kong.ctx.shared.set', [key, value], () => void this.shared.set(key, value)),
        },
      },
      nginx: {
        getVar: (name: string) => this.call('kong.nginx.get_var', [name], () => this.vars[name]),
        getCtx: (key: string) => this.call('kong.nginx.get_ctx', [key], () => this.shared.get(`ngx:${key}`)),
        setCtx: (key: string, value: unknown) => this.call('kong.nginx.set_ctx', [key, value], () => void this.shared.set(`ngx:${key}`, value)),
      },
      node: {
        getId: () => this.call('kong.node.get_id', [], () => '00000000-0000-4000-8000-000000000001'),
        getHostname: () => this.call('kong.node.get_hostname', [], () => 'fake-node'),
      },
      router: {
        getRoute: () => this.call('kong.router.get_route', [], () => ({ id: 'route-1' })),
        getService: () => this.call('kong.router.get_service', [], () => ({ id: 'service-1' })),
      },
      plugin: {
        getId: () => this.call('kong.plugin.get_id', [], () => 'plugin-1'),
      },
    };
  }

  /** Names of the PDK methods called, in order. */
  methods(): string[] {
    return this.calls.map((c) => c.method);
  }
}
