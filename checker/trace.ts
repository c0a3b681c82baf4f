/**
 * Counterexamples and witnesses in the forms an auditor reads, exchanges and re-checks: numbered
 * steps with what each step changed; ITF JSON (the Informal Trace Format of Apalache and Quint,
 * https://apalache-mc.org/docs/adr/015adr-trace.html) carrying the path as action indices; a
 * Mermaid sequence diagram; and replay of a trace file against the model it came from.
 *
 * States are shown and recorded through the model's `describe` (variable name → value), never as
 * the checker's internal encoding, so a trace says something to a reader and survives a rebuild.
 *
 * One module a form, in `checker/trace/`: values written and diffed (`values.ts`), numbered steps
 * (`steps.ts`), ITF values and traces (`itf-values.ts`, `itf.ts`), replay (`replay.ts`), the
 * sequence diagram (`sequence-diagram.ts`), the files `check` writes (`files.ts`), and the error
 * of a trace that cannot be read or written (`trace-error.ts`). This module gathers what they offer.
 */

export { type TraceTexts, traceTexts, writeTraceFiles } from "./trace/files.js";
export {
  type ItfMeta,
  type ItfState,
  type ItfTrace,
  type PropertyRef,
  TRACE_FORMAT_VERSION,
  type ToItfOptions,
  type TraceMeta,
  type Verdict,
  parseItf,
  toItf,
  tracedProperty,
} from "./trace/itf.js";
export { decodeItf, encodeItf, type ItfValue } from "./trace/itf-values.js";
export { type ReplayResult, replayTrace } from "./trace/replay.js";
export { mermaidText, toMermaidSequence } from "./trace/sequence-diagram.js";
export { actionLabel, type FormatPathOptions, formatPath } from "./trace/steps.js";
export { TraceError, type TraceErrorCode } from "./trace/trace-error.js";
export { formatValue } from "./trace/values.js";
