// Public surface of the hardware DSL.
export { Bool, SInt, UInt, bitsFor, log2ceil, typeName, type HdlType } from './types.js';
export { Expr, Signal, cat, lit, mux, rep, type ExprLike } from './expr.js';
export { Module, Memory, paramName, type MemoryOptions } from './module.js';
export { elaborate, HDL_VERSION, type Design } from './elaborate.js';
export { ElaborationError, CODES, formatDiagnostic, formatDiagnostics, validateAll, type Diagnostic } from './diagnostics.js';
export { atCaller, captureCallerLoc, captureLoc, formatLoc, type SrcLoc } from './srcloc.js';
export { saturate, satAdd, satSub, maxOf, minOf, sumTree, popcount } from './lib/arith.js';
