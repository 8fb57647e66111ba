/**
 * The detection library's public surface. `inspect(request, options)` is all a caller needs; the rest is
 * for configuration (limits, gRPC schemas), tests and tools.
 */
export * from './types';
export { inspect, createInspector, loadGrpcSchema, grpcSchemaFromSource, DEFAULT_THRESHOLD, FINDINGS_PER_TYPE } from './inspect';
export type { InspectContext, InspectorConfig } from './inspect';
export { DEFAULT_LIMITS, mergeLimits } from './limits';
export { DETECTORS, detectorFor } from './detectors';
export { parseRequest } from './parsers/request';
export type { ParsedRequest, ParseRequestOptions } from './parsers/request';
export type { GrpcSchema } from './parsers/proto-schema';
export { createDetectorInput, makePoint } from './detector-input';
