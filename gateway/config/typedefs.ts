/**
 * The field types Kong's core entities are built from (`kong/db/schema/typedefs.lua`), with
 * their custom validators and messages. Functions (`custom_validator`) are dropped when a schema
 * is served over the Admin API, as Kong's `schema_to_jsonable` does.
 */
import type { FieldSpec } from './kong-schema';
import { normalizeIp, isValidIp, isValidIpOrCidr } from './ip';
import { luaPatternFind } from './lua-pattern';

export const PROTOCOLS = ['grpc', 'grpcs', 'http', 'https', 'tcp', 'tls', 'tls_passthrough', 'udp'];
export const HTTP_PROTOCOLS = ['grpc', 'grpcs', 'http', 'https'];

type Check = (v: unknown) => true | string;

function validateHost(host: unknown): true | string {
  const res = normalizeIp(host as string);
  if (typeof res === 'string' && res !== 'invalid port number') return `invalid value: ${host as string}`;
  if (res === 'invalid port number' || (typeof res === 'object' && typeof res.port === 'number')) return 'must not have a port';
  return true;
}

function validateHostWithOptionalPort(host: unknown): true | string {
  const res = normalizeIp(host as string);
  return typeof res === 'string' ? res : true;
}

function validatePath(path: string): true | [string, 'rfc3986' | 'percent'] {
  if (!luaPatternFind(path, "^/[%w%.%-%_%~%/%%%:%@%!%$%&%'%(%)%*%+%,%;%=]*$")) {
    return [`invalid path: '${path}' (characters outside of the reserved list of RFC 3986 found)`, 'rfc3986'];
  }
  const raw = path.replace(/%[0-9A-Fa-f]{2}/g, '___');
  const i = raw.indexOf('%');
  if (i >= 0) return [`invalid url-encoded value: '${raw.slice(i, i + 3)}'`, 'percent'];
  return true;
}

const UNRESERVED = /[A-Za-z0-9\-._~]/;

/** `kong/tools/uri.lua: normalize(uri, merge_slashes=true)`: decode unreserved escapes, upper-case the rest, resolve dot segments. */
export function normalizeUriPath(path: string): string {
  let decoded = path.replace(/%([0-9A-Fa-f]{2})/g, (m, hex: string) => {
    const ch = String.fromCharCode(parseInt(hex, 16));
    return UNRESERVED.test(ch) ? ch : m.toUpperCase();
  });
  decoded = decoded.replace(/\/{2,}/g, '/');
  const out: string[] = [];
  const segs = decoded.split('/');
  segs.forEach((seg, i) => {
    const last = i === segs.length - 1;
    if (seg === '.') {
      if (last) out.push('');
    } else if (seg === '..') {
      if (out.length > 1) out.pop();
      if (last) out.push('');
    } else out.push(seg);
  });
  return out.join('/') || '/';
}

function validatePathWithRegexes(v: unknown): true | string {
  const path = v as string;
  const res = validatePath(path);
  if (res !== true && res[1] === 'percent') return res[0];
  if (!path.startsWith('~')) {
    const normalized = normalizeUriPath(path);
    if (normalized !== path) return `non-normalized path, consider use '${normalized}' instead`;
    return true;
  }
  try {
    new RegExp(path.slice(1));
  } catch (e) {
    return `invalid regex: '${path.slice(1)}' (PCRE returned: ${(e as Error).message})`;
  }
  return true;
}

function validateUtf8Name(v: unknown): true | string {
  if (!luaPatternFind(v as string, '^[%w%.%-%_~\x80-\xf4]+$')) {
    return `invalid value '${v as string}': the only accepted ascii characters are alphanumerics or ., -, _, and ~`;
  }
  return true;
}

function validateTag(v: unknown): true | string {
  if (!luaPatternFind(v as string, '^[ \x21-\x2b\x2d\x2e\x30-\x7e\x80-\xf4]+$')) {
    return `invalid tag '${v as string}': expected printable ascii (except \`,\` and \`/\`) or valid utf-8 sequences`;
  }
  return true;
}

function validateHeaderName(v: unknown): true | string {
  const name = v as string;
  if (name === '') return 'no header name provided';
  if (/^[a-zA-Z0-9\-_]+$/.test(name)) return true;
  return `bad header name '${name}', allowed characters are A-Z, a-z, 0-9, '_', and '-'`;
}

function validateHostWithWildcards(v: unknown): true | string {
  return validateHostWithOptionalPort((v as string).replace(/\*/g, 'abc'));
}

const validator = (fn: Check): FieldSpec['custom_validator'] => fn;

export const typedefs = {
  uuid: (): FieldSpec => ({ type: 'string', uuid: true, auto: true }),
  autoTimestamp: (): FieldSpec => ({ type: 'integer', timestamp: true, auto: true }),
  utf8Name: (): FieldSpec => ({ type: 'string', unique: true, custom_validator: validator(validateUtf8Name) }),
  protocol: (extra: Partial<FieldSpec> = {}): FieldSpec => ({ type: 'string', one_of: PROTOCOLS, ...extra }),
  host: (extra: Partial<FieldSpec> = {}): FieldSpec => ({ type: 'string', custom_validator: validator(validateHost), ...extra }),
  port: (extra: Partial<FieldSpec> = {}): FieldSpec => ({ type: 'integer', between: [0, 65535], ...extra }),
  path: (): FieldSpec => ({
    type: 'string',
    starts_with: '/',
    match_none: [{ pattern: '//', err: 'must not have empty segments' }],
    custom_validator: validator((v) => {
      const r = validatePath(v as string);
      return r === true ? true : r[0];
    }),
  }),
  tags: (): FieldSpec => ({
    type: 'set',
    elements: { type: 'string', required: true, custom_validator: validator(validateTag) },
  }),
  protocols: (): FieldSpec => ({ type: 'set', required: true, default: HTTP_PROTOCOLS, elements: typedefs.protocol() }),
  methods: (): FieldSpec => ({ type: 'set', elements: { type: 'string', match: '^%u+$' } }),
  hosts: (): FieldSpec => ({
    type: 'array',
    elements: {
      type: 'string',
      match_all: [{ pattern: '^[^*]*%*?[^*]*$', err: 'invalid wildcard: must have at most one wildcard' }],
      match_any: {
        patterns: ['^%*%.', '%.%*$', '^[^*]*$'],
        err: 'invalid wildcard: must be placed at leftmost or rightmost label',
      },
      custom_validator: validator(validateHostWithWildcards),
    },
  }),
  routerPaths: (): FieldSpec => ({
    type: 'array',
    elements: {
      type: 'string',
      match_any: { patterns: ['^/', '^~/'], err: 'should start with: / (fixed path) or ~/ (regex path)' },
      match_none: [{ pattern: '//', err: 'must not have empty segments' }],
      custom_validator: validator(validatePathWithRegexes),
    },
  }),
  headers: (): FieldSpec => ({
    type: 'map',
    keys: {
      type: 'string',
      match_none: [
        { pattern: '^[Hh][Oo][Ss][Tt]$', err: "cannot contain 'host' header, which must be specified in the 'hosts' attribute" },
      ],
      custom_validator: validator(validateHeaderName),
    },
    values: { type: 'array', elements: { type: 'string' } },
  }),
  sourcesOrDestinations: (): FieldSpec => ({
    type: 'set',
    elements: {
      type: 'record',
      fields: [
        {
          ip: {
            type: 'string',
            custom_validator: validator((v) => (isValidIpOrCidr(v as string) ? true : `invalid ip or cidr range: '${v as string}'`)),
          },
        },
        { port: typedefs.port() },
      ],
      entity_checks: [{ at_least_one_of: ['ip', 'port'] }],
    },
  }),
  sni: (): FieldSpec => ({
    type: 'string',
    custom_validator: validator((v) => {
      const host = v as string;
      const idx = host.indexOf('*');
      if (idx >= 0 && idx !== 0 && idx !== host.length - 1) return 'wildcard must be leftmost or rightmost character';
      const res = normalizeIp(host.replace(/\*/g, 'wildcard'));
      if (typeof res === 'string' && res !== 'invalid port number') return `invalid value: ${host}`;
      if (typeof res === 'object' && res.type !== 'name') return 'must not be an IP';
      if (res === 'invalid port number' || (typeof res === 'object' && res.port !== undefined)) return 'must not have a port';
      return true;
    }),
  }),
  isValidIp,
};
