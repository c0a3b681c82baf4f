/**
 * What the checker explores: a transition system given by its initial states, the actions enabled
 * in a state and the state each action leads to, with named properties over states (after
 * Stateright's `Model` trait). Actor models built from xstate machines compile down to this.
 */

import type { ByteSink, ByteSource } from "./binary.js";

/** A 64-bit state fingerprint as two unsigned 32-bit halves. */
export interface Fingerprint {
  hi: number;
  lo: number;
}

/**
 * Where a claim comes from: sections of the protocol's description and files of an implementation
 * or of another specification. The property table and the traceability matrix of docs/ are built
 * from it, so that a claim is traced from the code rather than from comments.
 */
export interface Source {
  /**
   * Sections, as the protocol's description numbers them: for Walrus, the sections of
   * spec/sources.ts (`"3.1"`, `"5.1"`).
   */
  readonly sections?: readonly string[];
  /**
   * Files, by their path in their repository (`crates/walrus-core/src/bft.rs`), or named with
   * their repository when it is not Walrus's (`tlaplus/Examples: TCommit.tla`).
   */
  readonly files?: readonly string[];
  /** What in them says it, in a few words: `paper Definition 1.2`, `step 6`. */
  readonly detail?: string;
}

/** What every property has, whatever its kind. */
export interface PropertyBase<S> {
  /**
   * Its short, stable name (lower case words joined by `-`, e.g. `availability-after-poa`):
   * expected failures, check-results.json and the docs refer to it. Distinct within a model.
   */
  readonly id: string;
  /** How reports name it in words; properties of one model have distinct names. */
  readonly name: string;
  /** The property's verdict on one state. */
  readonly holds: (state: S) => boolean;
  /**
   * The guarantee it checks, in words (for a witness: what it shows is not vacuous). The
   * property table shows it beside the name, which is the short form.
   */
  readonly claim?: string;
  /** Where the claim comes from. */
  readonly source?: Source;
}

/** How a result names its property: its id and its name in words. */
export type PropertyNames = Pick<PropertyBase<unknown>, "id" | "name">;

/** A property over single states. */
export type Property<S> =
  | (PropertyBase<S> & {
      /** Holds in every reachable state (a safety invariant). A violation is a counterexample. */
      readonly kind: "always";
    })
  | (PropertyBase<S> & {
      /** Holds in some reachable state (a witness). Never reached: the model is vacuous for it. */
      readonly kind: "sometimes";
    })
  | (PropertyBase<S> & {
      /**
       * Holds at some point of every behaviour. A behaviour that reaches a quiescent state (no
       * action changes anything) or runs in a cycle without the property holding is a violation,
       * reported as a path to the quiescent state or as a lasso.
       */
      readonly kind: "eventually";
    });

/**
 * A state written as `words` 32-bit words and read back: `decode(encode(s))` must equal `s`, and the
 * words must not depend on the process (no ids interned in discovery order).
 */
export interface PortableStates<S> {
  readonly words: number;
  /** Writes `state` as `words` words from `out[at]`. */
  encode(state: S, out: Int32Array, at: number): void;
  /** The state written from `words[at]`. */
  decode(words: Int32Array, at: number): S;
}

/**
 * A state written as 32-bit words that mean something in this process only — an actor model's
 * ids of local states and messages, numbered in the order the search met them — and read back:
 * what a breadth-first search writes when its queue spills to disk. Unlike {@link PortableStates}
 * the words of one state may differ in number from another's, and another process can read them
 * only once it has given the ids the same meaning: `save` writes what that takes (how each id was
 * made), and `restore`, in a freshly built model, makes the same ids again (a checkpoint, resumed
 * in another process, holds states this way).
 */
export interface InProcessStates<S> {
  /** The number of words `state` takes. */
  length(state: S): number;
  /** Writes `state` as `length(state)` words from `out[at]`. */
  encode(state: S, out: Int32Array, at: number): void;
  /** The state written as `length` words from `words[at]`. */
  decode(words: Int32Array, at: number, length: number): S;
  /** Writes what gives the words their meaning (and whatever else the model's search depends on). */
  save(sink: ByteSink): void;
  /**
   * Reads what `save` wrote, into a model freshly built from the same definition, and makes the same
   * ids again; a model that does not make them the same way throws a `CheckpointError`.
   */
  restore(source: ByteSource): void;
}

/** A state written as a number of 32-bit words (a number that may differ from state to state) and read back. */
export type StateWords<S> = Pick<InProcessStates<S>, "length" | "encode" | "decode">;

/** A model's states as {@link StateWords}: its `portable` ones where it has them, else `fallback`. */
export function portableWords<S>(
  model: Pick<Model<S, unknown>, "portable">,
  fallback?: StateWords<S>,
): StateWords<S> | undefined {
  const portable = model.portable;
  if (portable === undefined) return fallback;
  return {
    length: () => portable.words,
    encode: (state, out, at) => portable.encode(state, out, at),
    decode: (words, at) => portable.decode(words, at),
  };
}

/**
 * States made portable between the threads of one parallel search by tables they share (an actor
 * model's ids of local states and messages, actors/shared-ids.ts): the coordinator's model
 * `share`s its tables, each worker's model, built from the same definition, `join`s them, and from
 * then on `words` mean the same in every thread of the search.
 */
export interface SharedStates<S> {
  /** Starts sharing this model's tables; what it returns goes to the workers (structured-cloneable). */
  share(): unknown;
  /** Takes the tables another thread's model shared (a ModelError if the models differ). */
  join(shared: unknown): void;
  readonly words: StateWords<S>;
}

/** Successors in storage a model reuses (`Model.transient`). */
export interface TransientStates<S, A> {
  /** What `nextState` gives, in the model's scratch storage: valid until the next call. */
  next(state: S, action: A): S | undefined;
  /** A state of `state` (one `next` gave) that lasts. */
  keep(state: S): S;
}

/** A model the checker can explore. */
export interface Model<S, A> {
  readonly name: string;
  /** The initial states. */
  initStates(): S[];
  /** Appends the actions enabled in `state` to `out`. */
  actions(state: S, out: A[]): void;
  /** The state `action` leads to, or undefined when it changes nothing. */
  nextState(state: S, action: A): S | undefined;
  /**
   * `nextState` into storage the model reuses: the state `next` gives lasts only until its next
   * call, and `keep` makes one of it that lasts. A search fingerprints every successor and keeps
   * only the new ones (one in six on write-read-4-crash-any), so the others cost no allocation.
   */
  readonly transient?: TransientStates<S, A>;
  /** Writes the state's fingerprint; equal states must give equal fingerprints. */
  fingerprint(state: S, out: Fingerprint): void;
  /**
   * Symmetry reduction: a fingerprint equal for states that differ only by a permutation of
   * interchangeable components (the fingerprint of a canonical representative).
   */
  symmetricFingerprint?(state: S, out: Fingerprint): void;
  /**
   * A fingerprint equal for states that differ only in parts nothing will read again (the local
   * state of a crashed actor no property reads, the messages to it): states no property and no
   * later step can tell apart, explored once when reduction is on (as TLC's VIEW, but exact).
   */
  quotientFingerprint?(state: S, out: Fingerprint): void;
  readonly properties: readonly Property<S>[];
  /**
   * States as a fixed number of 32-bit words, for the parallel search, whose workers exchange
   * states; a model without it is searched on one thread.
   */
  readonly portable?: PortableStates<S>;
  /**
   * States as words valid in this process (an actor model's interned ids), for a breadth-first
   * queue that spills to disk and for checkpoints; `portable` serves both where a model has it.
   */
  readonly inProcess?: InProcessStates<S>;
  /** States portable between the threads of one search once they share the model's tables (actor models). */
  readonly shared?: SharedStates<S>;
  /** States outside the boundary are counted but not expanded. */
  withinBoundary?(state: S): boolean;
  /** A readable name for an action, for counterexamples. */
  formatAction?(action: A): string;
  /**
   * Partial-order reduction: candidate ample sets among the enabled `actions`, smallest first. A
   * candidate must be persistent (no action outside it, nor any sequence of such actions, can
   * interfere with an action in it) and invisible (none of its actions, in any state, changes a
   * value a property reads). The search adds the cycle proviso.
   */
  ampleSets?(state: S, actions: readonly A[]): A[][];
  /**
   * Whether no state reached so far lies on a cycle, shown from what the model computed (for actor
   * models: the local transitions go forward only, `ActorTables.acyclic`). A reduced search of a
   * model that offers it does without the cycle proviso, which only guards against an action put
   * off for ever around a cycle, and asks at its end: if the answer is no, it searches again with
   * the proviso.
   */
  stepsAcyclic?(): boolean;
  /**
   * The family an action belongs to (for actor models: deliver, environment, fault), so
   * that random schedules can be drawn per family rather than from one undifferentiated pool.
   */
  actionKind?(action: A): string;
  /**
   * What a reader of a counterexample sees of a state: variable name → value (numbers, bigints,
   * strings, booleans, arrays, records, Sets, Maps, Uint8Arrays). Equal states must give equal
   * views, whatever order they were reached in: traces are exported and replayed from it.
   */
  describe?(state: S): Record<string, unknown>;
}

/** Where a running search is. */
export interface SearchProgress {
  readonly generatedStates: number;
  readonly uniqueStates: number;
  readonly depth: number;
  /** States waiting to be expanded. */
  readonly queue: number;
  /** Of those, the ones spilled to disk (breadth-first, a large queue), when there are any. */
  readonly spilled?: number;
  /** A resumed search: the states generated before the checkpoint (counted in `generatedStates`). */
  readonly resumedAt?: number;
  readonly elapsedMs: number;
}
