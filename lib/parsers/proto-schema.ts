import * as fs from 'node:fs';
import * as path from 'node:path';
import { Root, Service, Type, parse as parseProto, type ReflectionObject } from 'protobufjs';

/** Request message types of the gRPC methods a set of .proto files declares. */
export interface GrpcSchema {
  /** The request type of `/<package.Service>/<Method>`, or null when unknown. */
  requestType(service: string, method: string): Type | null;
  readonly methods: number;
}

function collectMethods(root: Root): Map<string, Type> {
  const out = new Map<string, Type>();
  const visit = (obj: ReflectionObject): void => {
    if (obj instanceof Service) {
      const full = obj.fullName.replace(/^\./, '');
      for (const m of Object.values(obj.methods)) {
        if (m.resolvedRequestType) out.set(`${full}/${m.name}`, m.resolvedRequestType);
      }
    }
    const nested = (obj as { nestedArray?: ReflectionObject[] }).nestedArray;
    if (nested) for (const child of nested) visit(child);
  };
  visit(root);
  return out;
}

function schemaOf(root: Root): GrpcSchema {
  root.resolveAll();
  const methods = collectMethods(root);
  return {
    methods: methods.size,
    requestType: (service, method) => methods.get(`${service}/${method}`) ?? null,
  };
}

/**
 * Loads .proto files (imports resolved against `includeDirs`, then the importing file's directory).
 * Throws with a clear message on missing files or syntax errors; callers load once at configuration
 * time (see `loadGrpcSchema` in lib/inspect.ts, which caches).
 */
export function loadProtoFiles(files: readonly string[], includeDirs: readonly string[] = []): GrpcSchema {
  const root = new Root();
  root.resolvePath = (origin, target) => {
    if (path.isAbsolute(target)) return target;
    for (const dir of includeDirs) {
      const candidate = path.resolve(dir, target);
      if (fs.existsSync(candidate)) return candidate;
    }
    return origin ? path.resolve(path.dirname(origin), target) : path.resolve(target);
  };
  root.loadSync([...files], { keepCase: true });
  return schemaOf(root);
}

/** A schema from .proto source text (no imports). */
export function parseProtoSource(source: string): GrpcSchema {
  return schemaOf(parseProto(source, { keepCase: true }).root);
}

export { Type };
