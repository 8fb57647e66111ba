/** ajv validation of inventory batches against contracts/inventory.schema.json (issues as the event ingest reports them). */
import fs from 'node:fs';
import path from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import type { ValidationIssue } from '../validation';
import type { InventoryBatch } from '../store/inventory-types';

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const contract = path.join(__dirname, '..', '..', 'contracts', 'inventory.schema.json');
const validate = ajv.compile<InventoryBatch>(JSON.parse(fs.readFileSync(contract, 'utf8')) as object);

function issues(errors: ErrorObject[] | null | undefined): ValidationIssue[] {
  return (errors ?? []).slice(0, 20).map((e) => ({
    path: e.instancePath || '/',
    message: e.keyword === 'additionalProperties' ? `has unknown property "${String((e.params as { additionalProperty: string }).additionalProperty)}"` : e.message ?? 'is invalid',
  }));
}

export function checkInventoryBatch(body: unknown): { ok: true; value: InventoryBatch } | { ok: false; issues: ValidationIssue[] } {
  return validate(body) ? { ok: true, value: body } : { ok: false, issues: issues(validate.errors) };
}
