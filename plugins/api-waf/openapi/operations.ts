/**
 * The document's operations as drafts: method, path template, parameters (merged path-item + operation
 * level, operation wins), request body media types, each with its schema already translated to JSON
 * Schema. A component referenced from many operations is translated once (`byLocation`), so its draft
 * objects are shared and compile.ts compiles each shared schema once.
 */
import { DocumentSet, pointerOf, type Located } from './documents';
import { DEFAULT_STYLE, styleAllowed, type ParamIn, type ParamSpec } from './params';
import { SchemaBundler } from './schemas';
import { kindOf, objectShape } from './shape';
import { OpenApiDocumentError } from './types';

export const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
/** OpenAPI: header parameters with these names are ignored (they are described elsewhere). */
const IGNORED_HEADERS = new Set(['accept', 'content-type', 'authorization']);

export interface ParamDraft {
  spec: ParamSpec;
  required: boolean;
  /** Translated schema (null: anything goes). */
  schema: unknown;
  location: string;
  /** Where `schema` is in the document (violations inside it are located relative to this). */
  schemaLocation: string;
}

export type MediaKind = 'json' | 'form' | 'other';

export interface MediaDraft {
  /** Lower-cased media range as declared: `application/json`, `application/*`, `*\/*`. */
  range: string;
  kind: MediaKind;
  schema: unknown;
  location: string;
  /** Form bodies: how each declared property is serialized (encoding object), and whether others are allowed. */
  formFields: ParamSpec[];
}

export interface OperationDraft {
  method: string;
  template: string;
  name: string;
  location: string;
  params: ParamDraft[];
  body: { required: boolean; media: MediaDraft[]; location: string } | null;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

export function mediaKind(range: string): MediaKind {
  if (range === 'application/json' || (range.startsWith('application/') && range.endsWith('+json'))) return 'json';
  if (range === 'application/x-www-form-urlencoded') return 'form';
  return 'other';
}

export class OperationBuilder {
  private readonly paramCache = new Map<string, ParamDraft>();
  private readonly bodyCache = new Map<string, OperationDraft['body']>();

  constructor(
    private readonly docs: DocumentSet,
    private readonly bundler: SchemaBundler,
  ) {}

  private fail(at: { file: string; pointer: string }, message: string): never {
    throw new OpenApiDocumentError(`${this.docs.where(at)}: ${message}`);
  }

  build(): OperationDraft[] {
    const root = this.docs.root;
    if (!isObject(root.value)) this.fail(root, 'the document must be an object');
    const paths = root.value.paths ?? {};
    if (!isObject(paths)) this.fail(root, '"paths" must be an object');
    const out: OperationDraft[] = [];
    for (const [template, rawItem] of Object.entries(paths)) {
      if (template.startsWith('x-')) continue;
      const item = this.docs.deref<unknown>({ file: root.file, pointer: pointerOf('#', 'paths', template), value: rawItem });
      if (!isObject(item.value)) this.fail(item, 'a path item must be an object');
      const shared = this.paramList({ ...item, value: item.value }, item.value.parameters, 'parameters');
      for (const method of METHODS) {
        const op = item.value[method];
        if (op === undefined) continue;
        const at = { file: item.file, pointer: pointerOf(item.pointer, method) };
        if (!isObject(op)) this.fail(at, 'an operation must be an object');
        const own = this.paramList({ ...at, value: op }, op.parameters, 'parameters');
        const merged = new Map<string, ParamDraft>();
        for (const p of [...shared, ...own]) merged.set(`${p.spec.in}\u0000${p.spec.name}`, p);
        out.push({
          method: method.toUpperCase(),
          template,
          name: typeof op.operationId === 'string' && op.operationId !== '' ? op.operationId : `${method.toUpperCase()} ${template}`,
          location: this.docs.where(at),
          params: [...merged.values()],
          body: op.requestBody === undefined ? null : this.body({ file: at.file, pointer: pointerOf(at.pointer, 'requestBody'), value: op.requestBody }),
        });
      }
    }
    return out;
  }

  private paramList(owner: Located<Json>, list: unknown, key: string): ParamDraft[] {
    if (list === undefined) return [];
    const at = { file: owner.file, pointer: pointerOf(owner.pointer, key) };
    if (!Array.isArray(list)) this.fail(at, 'parameters must be an array');
    const out: ParamDraft[] = [];
    list.forEach((raw, i) => {
      const p = this.param({ file: at.file, pointer: pointerOf(at.pointer, i), value: raw });
      if (p) out.push(p);
    });
    return out;
  }

  private param(at: Located): ParamDraft | null {
    const p = this.docs.deref<unknown>(at);
    const key = `${p.file}${p.pointer}`;
    if (this.paramCache.has(key)) return this.paramCache.get(key) as ParamDraft;
    const v = p.value;
    if (!isObject(v)) this.fail(p, 'a parameter must be an object');
    const where = v.in as ParamIn;
    if (!['query', 'header', 'path', 'cookie'].includes(where)) this.fail(p, `parameter "in" must be query, header, path or cookie (got ${JSON.stringify(v.in)})`);
    if (typeof v.name !== 'string' || v.name === '') this.fail(p, 'a parameter needs a name');
    const name = where === 'header' ? v.name.toLowerCase() : v.name;
    if (where === 'header' && IGNORED_HEADERS.has(name)) return null;
    const style = v.style === undefined ? DEFAULT_STYLE[where] : v.style;
    if (typeof style !== 'string' || !styleAllowed(where, style)) this.fail(p, `style "${String(style)}" is not allowed for ${where} parameters`);
    let schemaAt: Located | null = null;
    let json = false;
    if (v.schema !== undefined) schemaAt = { file: p.file, pointer: pointerOf(p.pointer, 'schema'), value: v.schema };
    else if (isObject(v.content)) {
      const [mt, media] = Object.entries(v.content)[0] ?? [];
      if (mt !== undefined && isObject(media) && media.schema !== undefined) {
        schemaAt = { file: p.file, pointer: pointerOf(p.pointer, 'content', mt, 'schema'), value: media.schema };
        json = mediaKind(mt.toLowerCase()) === 'json';
      }
    }
    const kind = schemaAt && !json ? kindOf(this.docs, schemaAt) : 'primitive';
    const properties = schemaAt && kind === 'object' ? [...objectShape(this.docs, schemaAt).properties.keys()] : [];
    const draft: ParamDraft = {
      spec: { name, in: where, style, explode: typeof v.explode === 'boolean' ? v.explode : style === 'form', kind, properties, json },
      required: where === 'path' || v.required === true,
      schema: schemaAt ? this.bundler.translate(schemaAt) : null,
      location: this.docs.where(p),
      schemaLocation: schemaAt ? this.docs.where(schemaAt) : this.docs.where(p),
    };
    this.paramCache.set(key, draft);
    return draft;
  }

  private body(at: Located): OperationDraft['body'] {
    const b = this.docs.deref<unknown>(at);
    const key = `${b.file}${b.pointer}`;
    if (this.bodyCache.has(key)) return this.bodyCache.get(key) ?? null;
    const v = b.value;
    if (!isObject(v)) this.fail(b, 'a request body must be an object');
    if (!isObject(v.content)) this.fail(b, 'a request body needs "content"');
    const media: MediaDraft[] = [];
    for (const [rawRange, m] of Object.entries(v.content)) {
      const range = rawRange.toLowerCase().split(';')[0].trim();
      const mAt = { file: b.file, pointer: pointerOf(b.pointer, 'content', rawRange) };
      if (!isObject(m)) this.fail(mAt, 'a media type must be an object');
      const kind = mediaKind(range);
      const schemaAt = m.schema === undefined ? null : { file: b.file, pointer: pointerOf(mAt.pointer, 'schema'), value: m.schema };
      media.push({
        range,
        kind,
        schema: schemaAt && kind !== 'other' ? this.bundler.translate(schemaAt) : null,
        location: this.docs.where(schemaAt ?? mAt),
        formFields: kind === 'form' && schemaAt ? this.formFields(schemaAt, m.encoding) : [],
      });
    }
    const body = { required: v.required === true, media, location: this.docs.where(b) };
    this.bodyCache.set(key, body);
    return body;
  }

  private formFields(schemaAt: Located, encoding: unknown): ParamSpec[] {
    const shape = objectShape(this.docs, schemaAt);
    const enc = isObject(encoding) ? encoding : {};
    const out: ParamSpec[] = [];
    for (const [name, propAt] of shape.properties) {
      const e = isObject(enc[name]) ? (enc[name] as Json) : {};
      const style = typeof e.style === 'string' && styleAllowed('query', e.style) ? e.style : 'form';
      const kind = kindOf(this.docs, propAt);
      const properties = kind === 'object' ? [...objectShape(this.docs, propAt).properties.keys()] : [];
      out.push({ name, in: 'query', style, explode: typeof e.explode === 'boolean' ? e.explode : style === 'form', kind, properties, json: false });
    }
    return out;
  }
}
