/**
 * The `openapi` field of api-waf's config, in Kong's schema DSL (JSON, as the pluginserver reports it).
 * The lead adds `OPENAPI_FIELD` to plugins/api-waf/schema.ts's SCHEMA array. What the DSL can say is said
 * here (one source, path shapes, a sanity `match` on inline text so an obviously wrong paste is a 400
 * even on a real Kong); whether the document compiles is check.ts's job (Admin API hook, instance start).
 */
import { VIOLATION_CLASSES } from './types';

const ACTIONS = ['ignore', 'report', 'block'];

export const OPENAPI_FIELD = {
  openapi: {
    type: 'record',
    required: true,
    description:
      'OpenAPI 3.0/3.1 enforcement: requests are checked against the document (endpoint, parameters, body); each violation class is ignored, reported or blocked (blocking still follows mode).',
    fields: [
      { enabled: { type: 'boolean', required: true, default: false } },
      {
        spec_file: {
          type: 'string',
          starts_with: '/',
          description: 'Absolute path of the document (JSON or YAML) on the Kong node; relative $refs are resolved next to it.',
        },
      },
      {
        spec_inline: {
          type: 'string',
          len_max: 1048576,
          match: '["\']?openapi["\']?%s*:',
          description: 'The document itself (JSON or YAML). Only local $refs (#/components/...) resolve; use spec_file for multi-file documents.',
        },
      },
      {
        base_path: {
          type: 'string',
          starts_with: '/',
          description: "Path prefix the API is served under as the plugin sees it (e.g. /v1); replaces the path of the document's servers.",
        },
      },
      {
        on_violation: {
          type: 'record',
          required: true,
          description: 'Per violation class: ignore, report (api_violation event) or block.',
          fields: VIOLATION_CLASSES.map((c) => ({ [c]: { type: 'string', required: true, default: 'block', one_of: ACTIONS } })),
        },
      },
    ],
    entity_checks: [
      { mutually_exclusive: ['spec_file', 'spec_inline'] },
      { conditional_at_least_one_of: { if_field: 'enabled', if_match: { eq: true }, then_at_least_one_of: ['spec_file', 'spec_inline'] } },
    ],
  },
};
