/**
 * Loading an OpenAPI document and the files its `$ref`s name, and resolving `$ref`s (local
 * `#/components/...`, relative files next to the referring document, JSON pointers with `~0 ~1` and
 * percent-escapes). Remote refs (`http://...`) are refused: a gateway must not fetch schemas at start.
 * Files are read once each; every file read is part of the document's content hash.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { OpenApiDocumentError, type DocumentSource } from './types';

/** Per file: big enough for any real API description, small enough that a wrong path cannot eat memory. */
const MAX_FILE_BYTES = 16 * 1024 * 1024;
const MAX_FILES = 256;
/** `$ref` → `$ref` → ... chains longer than this are treated as a cycle. */
const MAX_REF_HOPS = 64;

export interface Located<T = unknown> {
  /** Absolute file path, or `inline`. */
  file: string;
  /** JSON pointer inside that file, `#/components/schemas/Order`. */
  pointer: string;
  value: T;
}

export function parseText(text: string, where: string): unknown {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.parse(text);
    } catch (err) {
      // YAML is a superset of JSON; a JSON error is still the clearest message for a JSON-looking file
      throw new OpenApiDocumentError(`${where}: not valid JSON: ${(err as Error).message}`);
    }
  }
  try {
    // maxAliasCount stops alias bombs ("billion laughs")
    const doc = YAML.parseDocument(text, { prettyErrors: false, uniqueKeys: true });
    if (doc.errors.length > 0) throw doc.errors[0];
    return doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    throw new OpenApiDocumentError(`${where}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
}

export function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function pointerOf(base: string, ...segments: Array<string | number>): string {
  let out = base;
  for (const s of segments) out += `/${escapePointer(String(s))}`;
  return out;
}

export class DocumentSet {
  readonly root: Located;
  /** Absolute file path (or `inline`) → parsed content, in the order read. */
  private readonly files = new Map<string, unknown>();
  /** Texts as read, for the content hash. */
  readonly texts: Array<{ file: string; text: string }> = [];
  private readonly inlineBaseDir: string | null;

  constructor(source: DocumentSource) {
    if ('file' in source) {
      if (!path.isAbsolute(source.file)) throw new OpenApiDocumentError(`spec file "${source.file}" must be an absolute path`);
      this.inlineBaseDir = null;
      const file = path.normalize(source.file);
      this.root = { file, pointer: '#', value: this.load(file) };
    } else {
      if (typeof source.text !== 'string' || source.text.trim() === '') throw new OpenApiDocumentError('inline spec is empty');
      if (source.text.length > MAX_FILE_BYTES) throw new OpenApiDocumentError(`inline spec is larger than ${MAX_FILE_BYTES} bytes`);
      this.inlineBaseDir = source.baseDir ?? null;
      this.texts.push({ file: 'inline', text: source.text });
      const value = parseText(source.text, 'inline spec');
      this.files.set('inline', value);
      this.root = { file: 'inline', pointer: '#', value };
    }
  }

  private load(file: string): unknown {
    if (this.files.has(file)) return this.files.get(file);
    if (this.files.size >= MAX_FILES) throw new OpenApiDocumentError(`more than ${MAX_FILES} files referenced`);
    let text: string;
    try {
      const st = fs.statSync(file);
      if (!st.isFile()) throw new Error('not a regular file');
      if (st.size > MAX_FILE_BYTES) throw new Error(`larger than ${MAX_FILE_BYTES} bytes`);
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new OpenApiDocumentError(`cannot read ${file}: ${(err as Error).message}`);
    }
    this.texts.push({ file, text });
    const value = parseText(text, file);
    this.files.set(file, value);
    return value;
  }

  /**
   * Reads every file reachable through `$ref`s, so a missing file is an error before any compiling and
   * the content hash covers every file the document is made of.
   */
  loadAll(): void {
    const queue = [...this.files.keys()];
    const seen = new Set(queue);
    for (let q = 0; q < queue.length; q++) {
      const from = queue[q];
      const stack: unknown[] = [this.files.get(from)];
      while (stack.length > 0) {
        const v = stack.pop();
        if (v === null || typeof v !== 'object') continue;
        if (Array.isArray(v)) {
          for (const x of v) stack.push(x);
          continue;
        }
        for (const [k, x] of Object.entries(v)) {
          if (k !== '$ref' || typeof x !== 'string') {
            stack.push(x);
            continue;
          }
          const hash = x.indexOf('#');
          const filePart = hash < 0 ? x : x.slice(0, hash);
          if (filePart === '') continue;
          const file = this.fileFor(from, filePart);
          if (seen.has(file)) continue;
          seen.add(file);
          this.load(file);
          queue.push(file);
        }
      }
    }
  }

  /** sha256 over every file's text (in the order read) and `extra` (options that change the compiled result). */
  contentHash(extra: string): string {
    const h = createHash('sha256');
    for (const t of this.texts) h.update(`${t.file}\u0000${t.text}\u0000`);
    h.update(extra);
    return h.digest('hex');
  }

  /** The file a relative ref in `from` names. */
  private fileFor(from: string, refFile: string): string {
    if (/^[a-z][a-z0-9+.-]*:/i.test(refFile)) throw new OpenApiDocumentError(`$ref "${refFile}": only local and relative file references are supported`);
    if (from === 'inline') {
      if (this.inlineBaseDir === null) throw new OpenApiDocumentError(`$ref "${refFile}" in an inline spec: relative files need the spec to be given as a file path`);
      return path.resolve(this.inlineBaseDir, refFile);
    }
    return path.resolve(path.dirname(from), refFile);
  }

  /** One `$ref` step: `{ file, pointer, value }` of the target. */
  resolveRef(from: string, ref: string, where: string): Located {
    if (typeof ref !== 'string') throw new OpenApiDocumentError(`${where}: $ref must be a string`);
    const hash = ref.indexOf('#');
    const filePart = hash < 0 ? ref : ref.slice(0, hash);
    let fragment = hash < 0 ? '' : ref.slice(hash + 1);
    const file = filePart === '' ? from : this.fileFor(from, filePart);
    const doc = file === from && this.files.has(from) ? this.files.get(from) : this.load(file);
    try {
      fragment = decodeURIComponent(fragment);
    } catch {
      throw new OpenApiDocumentError(`${where}: $ref "${ref}" has a malformed escape`);
    }
    if (fragment !== '' && !fragment.startsWith('/')) throw new OpenApiDocumentError(`${where}: $ref "${ref}": only JSON-pointer fragments are supported`);
    let value: unknown = doc;
    const segments = fragment === '' ? [] : fragment.slice(1).split('/');
    for (const raw of segments) {
      const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
      if (value !== null && typeof value === 'object' && Object.prototype.hasOwnProperty.call(value, seg)) {
        value = (value as Record<string, unknown>)[seg];
      } else {
        throw new OpenApiDocumentError(`${where}: $ref "${ref}" does not resolve (no "${seg}" in ${file === 'inline' ? 'the document' : file})`);
      }
    }
    return { file, pointer: `#${fragment}`, value };
  }

  /** A location for messages: the pointer in the root document, `file.yaml#/pointer` elsewhere. */
  where(at: { file: string; pointer: string }): string {
    return describe(at, this.root.file);
  }

  /** Follows `$ref` until a non-ref object (parameters, request bodies, path items). Cycles are errors. */
  deref<T = unknown>(at: Located): Located<T> {
    let cur = at;
    for (let hops = 0; hops <= MAX_REF_HOPS; hops++) {
      const v = cur.value;
      if (v === null || typeof v !== 'object' || !('$ref' in v)) return cur as Located<T>;
      cur = this.resolveRef(cur.file, (v as { $ref: string }).$ref, this.where(cur));
    }
    throw new OpenApiDocumentError(`${this.where(at)}: $ref chain longer than ${MAX_REF_HOPS} (a cycle?)`);
  }
}

/** `orders.yaml#/components/schemas/Order` or `#/paths/...` for the root document. */
export function describe(at: { file: string; pointer: string }, rootFile?: string): string {
  if (at.file === 'inline' || at.file === rootFile) return at.pointer;
  const rel = rootFile && rootFile !== 'inline' ? path.relative(path.dirname(rootFile), at.file) : path.basename(at.file);
  return `${rel}${at.pointer}`;
}
