/**
 * walrus-spec's model checker as a library (`walrus-spec/checker`): a model is a transition system
 * with named properties (after Stateright's `Model`); actor models compose xstate machines over an
 * asynchronous network with crashes and Byzantine actors; the checker searches them exhaustively
 * (breadth- or depth-first, on one thread or several), simulates seeded random walks, runs
 * fast-check command sequences, and explains what it finds as numbered steps, ITF traces and
 * Mermaid sequence diagrams. Nothing here knows Walrus.
 *
 * @module
 */

export * from "./model.js";
export * from "./actors.js";
export * from "./prefix.js";
export * from "./errors.js";
export {
  checkModel,
  checkModelAsync,
  checkEventuallyProperty,
  checkEventuallyPropertyAsync,
  DEFAULT_CHECKPOINT_EVERY_MS,
  defaultSpillAbove,
} from "./search.js";
export type { ByteSink, ByteSource } from "./binary.js";
export { DEFAULT_HEAP_LIMIT, LOOK_EVERY_MS, type StopReason, type WatchOptions, stopText } from "./watch.js";
export type { CheckpointWritten, PropertyResult, SearchOptions, SearchProgress, SearchReport } from "./search.js";
export * from "./liveness.js";
export { checkModelParallel, type ModelFactory, type ParallelOptions } from "./parallel.js";
export * from "./simulate.js";
export * from "./swarm.js";
export * from "./path.js";
export * from "./trace.js";
export * from "./fast-check.js";
