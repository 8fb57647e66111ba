import fs from 'node:fs';
import path from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { EventBatch } from './store/types';

export interface ValidationIssue {
  /** JSON pointer into the request body, e.g. /events/3/client_ip. */
  path: string;
  message: string;
}

/** At most this many issues are returned: enough to fix a batch, bounded for a hostile one. */
const MAX_ISSUES = 20;

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);

const contractFile = path.join(__dirname, '..', 'contracts', 'event.schema.json');
const validateBatch = ajv.compile<EventBatch>(JSON.parse(fs.readFileSync(contractFile, 'utf8')) as object);

export interface IpEntryRequest {
  cidr: string;
  list: 'deny' | 'grey' | 'allow';
  reason?: string | null;
  expires_at?: string | null;
  ttl_seconds?: number;
}

const validateIpEntry = ajv.compile<IpEntryRequest>({
  type: 'object',
  required: ['cidr', 'list'],
  additionalProperties: false,
  properties: {
    cidr: { type: 'string', minLength: 1, maxLength: 64 },
    list: { enum: ['deny', 'grey', 'allow'] },
    reason: { type: ['string', 'null'], maxLength: 256 },
    expires_at: { type: ['string', 'null'], format: 'date-time' },
    ttl_seconds: { type: 'integer', minimum: 1, maximum: 10 * 365 * 86400 },
  },
  not: { required: ['expires_at', 'ttl_seconds'] },
});

function issues(errors: ErrorObject[] | null | undefined): ValidationIssue[] {
  return (errors ?? []).slice(0, MAX_ISSUES).map((error) => {
    let message = error.message ?? 'is invalid';
    if (error.keyword === 'additionalProperties') {
      message = `has unknown property "${String((error.params as { additionalProperty: string }).additionalProperty)}"`;
    } else if (error.keyword === 'not' && error.schemaPath === '#/not') {
      message = 'give either expires_at or ttl_seconds, not both';
    }
    return { path: error.instancePath || '/', message };
  });
}

function check<T>(validate: ValidateFunction<T>, body: unknown): { ok: true; value: T } | { ok: false; issues: ValidationIssue[] } {
  return validate(body) ? { ok: true, value: body } : { ok: false, issues: issues(validate.errors) };
}

export const checkEventBatch = (body: unknown) => check(validateBatch, body);
export const checkIpEntry = (body: unknown) => check(validateIpEntry, body);
