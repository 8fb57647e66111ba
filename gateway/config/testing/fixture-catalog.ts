/** A PluginCatalog for tests, with a schema shaped like api-waf's (mode one_of, nested records, CIDR arrays). */
import type { PluginCatalog, PluginInfo } from '../types';

export function wafLikeInfo(): PluginInfo {
  return {
    Name: 'api-waf',
    Version: '0.1.0',
    Phases: ['access', 'log'],
    Priority: 1010,
    Schema: {
      name: 'api-waf',
      fields: [
        {
          config: {
            type: 'record',
            fields: [
              { mode: { type: 'string', default: 'block', one_of: ['off', 'monitoring', 'block'], description: 'What to do when an attack is detected.' } },
              { paranoia_level: { type: 'integer', default: 1, between: [1, 4] } },
              { anomaly_threshold: { type: 'number', default: 5, gt: 0 } },
              { allow_cidrs: { type: 'array', default: [], elements: { type: 'string', match: '^[%x%.:]+/%d+$' } } },
              {
                body: {
                  type: 'record',
                  fields: [
                    { max_bytes: { type: 'integer', default: 1048576, between: [0, 104857600] } },
                    { content_types: { type: 'set', default: ['application/json'], elements: { type: 'string' } } },
                  ],
                },
              },
              {
                collector: {
                  type: 'record',
                  required: false,
                  fields: [
                    { url: { type: 'string', required: true, starts_with: 'http' } },
                    { api_key: { type: 'string', referenceable: true, encrypted: true } },
                  ],
                },
              },
              { labels: { type: 'map', keys: { type: 'string' }, values: { type: 'string' } } },
              { rule_ids: { type: 'array', elements: { type: 'integer' } } },
              { tag: { type: 'string', len_max: 8, not_match: '%s' } },
            ],
          },
        },
      ],
    },
  };
}

export function keyAuthExtInfo(): PluginInfo {
  return {
    Name: 'key-auth-ext',
    Version: '0.1.0',
    Phases: ['access'],
    Priority: 1250,
    Schema: {
      name: 'key-auth-ext',
      fields: [
        {
          config: {
            type: 'record',
            fields: [
              { key_names: { type: 'array', default: ['apikey'], elements: { type: 'string' } } },
              { hide_credentials: { type: 'boolean', default: false } },
            ],
          },
        },
      ],
    },
  };
}

export function fixtureCatalog(infos: PluginInfo[] = [wafLikeInfo(), keyAuthExtInfo()]): PluginCatalog {
  const byName = new Map(infos.map((i) => [i.Name, i]));
  return { get: (n) => byName.get(n), list: () => [...byName.values()] };
}
