/**
 * The `exceptions` and `custom_rules` fields of api-waf's config, in Kong's schema DSL. The lead adds
 * `...RULES_FIELDS` to plugins/api-waf/schema.ts's SCHEMA array. Glob and RE2 syntax and id uniqueness
 * are checked by parse.ts (Admin API hook, instance start).
 */
import { ATTACK_TYPES } from '../../../lib/types';
import { VIOLATION_CLASSES } from '../openapi/types';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT'];

const common = [
  { id: { type: 'string', required: true, len_max: 64, match: '^[%w][%w%-_.:]*$', description: 'Names the decision in events (rule: exception:<id> / rule:<id>).' } },
  { method: { type: 'string', one_of: METHODS } },
  { path: { type: 'string', required: true, default: '/**', starts_with: '/', len_max: 1024, description: 'Glob on the request path: * one segment, ** any number, * inside a segment any characters.' } },
  { point: { type: 'string', required: true, len_max: 512, description: 'Glob on the point: body.json.*.comment, query.**, header.x-*.' } },
];

export const RULES_FIELDS = [
  {
    exceptions: {
      type: 'array',
      required: true,
      default: [],
      len_max: 1000,
      description: 'False-positive exceptions: findings at a matching point (of the listed attack types, or all) are dropped. Listing OpenAPI violation classes silences those too.',
      elements: {
        type: 'record',
        fields: [...common, { attack_types: { type: 'array', elements: { type: 'string', one_of: [...ATTACK_TYPES, ...VIOLATION_CLASSES] } } }],
      },
    },
  },
  {
    custom_rules: {
      type: 'array',
      required: true,
      default: [],
      len_max: 1000,
      description: 'Virtual patches: a value at a matching point that equals / contains / matches (RE2) `value` is blocked or reported.',
      elements: {
        type: 'record',
        fields: [
          ...common,
          { match: { type: 'string', required: true, default: 'contains', one_of: ['equals', 'contains', 're2'] } },
          { value: { type: 'string', required: true, len_max: 4096 } },
          { ignore_case: { type: 'boolean', required: true, default: true } },
          { action: { type: 'string', required: true, default: 'block', one_of: ['block', 'report'] } },
          { attack_type: { type: 'string', required: true, default: 'virtual_patch', match: '^[%l_]+$', len_max: 32 } },
        ],
      },
    },
  },
];
