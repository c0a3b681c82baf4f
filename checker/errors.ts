/**
 * Typed errors of the checker. A model built with impossible parameters (an adversary budget below
 * the shards it is given, an unknown actor name, too many actors for the fault word) is rejected
 * when it is built, with one of these, rather than producing a state space that means nothing. A
 * machine that throws, or never comes to rest, while the checker computes one of its steps is
 * reported as a {@link TransitionError} that says where, rather than as the checker's own failure.
 */

/** A model definition or its parameters are invalid. */
export class ModelError extends Error {
  override readonly name: string = "ModelError";
}

/** What a {@link TransitionError} says of the step that failed. */
export interface FailedStep {
  /** The actor's name in the model. */
  readonly actor: string;
  /** Its state value (xstate's `snapshot.value`) before the step. */
  readonly state: unknown;
  /** The event's type (`xstate.init` for the initial state). */
  readonly event: string;
}

/**
 * A machine's guard or action threw, or its transition never came to rest (eventless transitions
 * or raised events in a cycle), while the checker computed the step of one actor in one state on
 * one event: a fault of the model, named by the actor, its state and the event, so that the
 * auditor can find the rule at fault.
 */
export class TransitionError extends ModelError {
  override readonly name: string = "TransitionError";

  constructor(
    readonly step: FailedStep,
    /** What went wrong, in words (the machine's own error message, or that the step never ended). */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`actor ${step.actor} in state ${JSON.stringify(step.state)} on event ${step.event}: ${reason}`, options);
  }
}

/**
 * A transition that never came to rest: eventless transitions or raised events in a cycle (more
 * microsteps than a transition is allowed), or a mutant's guard evaluated without end
 * (checker/mutation.ts).
 */
export class NeverEndingTransition extends TransitionError {
  /** What its reason says, to know it again in an error from another thread. */
  static readonly MARK = "a transition never ends";
  override readonly name: string = "NeverEndingTransition";
}

/** What is wrong with a checkpoint a search was asked to resume from. */
export type CheckpointProblem =
  /** No checkpoint in the directory, or a file of it is missing. */
  | "missing"
  /** A file is truncated, or its contents do not match the digest the checkpoint recorded. */
  | "corrupt"
  /** Written in a format this version does not know. */
  | "version"
  /** Of another model. */
  | "other-model"
  /** Of a search with other options that change the state space (reduction, depth bound, strategy). */
  | "other-options"
  /** The model, rebuilt, no longer makes the same states and ids (its definition changed since). */
  | "model-changed"
  /** Not possible for this search (depth-first, parallel, a model without state words). */
  | "unsupported";

/**
 * A checkpoint cannot be written or resumed: {@link CheckpointProblem} says why, the message says
 * what in words. A search never goes on from a checkpoint it cannot vouch for.
 */
export class CheckpointError extends Error {
  override readonly name: string = "CheckpointError";

  constructor(
    readonly problem: CheckpointProblem,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
