/**
 * The vocabulary of actor models: what a model declares (its actors, network, adversary, symmetry
 * and properties) and what the checker hands back (global states, actions, the views properties
 * read). Types, and two helpers that write properties, so that models and properties can name
 * them without loading the checker.
 *
 * The actors and the network follow Stateright's `ActorModel` (unordered, FIFO, duplicating and
 * lossy networks; crashes); the adversary counts its budget in shards, as Walrus counts f
 * (paper §2, "Network and adversarial assumptions").
 */

import type { AnyStateMachine, EventObject, SnapshotFrom } from "xstate";
import { ModelError } from "../errors.js";
import type { Property } from "../model.js";

/** One actor of the system. */
export interface ActorSpec {
  readonly name: string;
  readonly machine: AnyStateMachine;
  readonly input?: unknown;
  /** Events the actor may take on its own at any time (guards decide when they do anything). */
  readonly internalEvents?: readonly EventObject[];
  /** Shards the actor holds: its weight in quorums and in the adversary's budget. Default 1. */
  readonly shards?: number;
  /**
   * Every actor this one may ever send to, for partial-order reduction when a `send` computes its
   * recipient at run time. Default: any actor.
   */
  readonly sendsTo?: readonly string[];
}

/** A message in flight. */
export interface Message {
  readonly from: number;
  readonly to: number;
  readonly event: EventObject;
}

/** A message as a machine or the adversary names it: the recipient and the event. */
export type OutgoingMessage = EventObject & { readonly to: string };

/**
 * How the network treats messages. `ordering`: `unordered` (any message in flight may be delivered
 * next) or `fifo` (per link, in send order). `duplication`: delivery does not consume a message, so
 * it can be received again (on an unordered network the messages then form a set, as in
 * TwoPhase.tla). `loss`: the network may drop any message in flight.
 */
export interface NetworkSpec {
  readonly ordering?: "unordered" | "fifo";
  readonly duplication?: boolean;
  readonly loss?: boolean;
}

/** Shorthands: `unordered`, `fifo`, and `duplicating` (unordered with duplication). */
export type NetworkKind = "duplicating" | "unordered" | "fifo";

/** The adversary: what may fail, how, and within which budget. */
export interface AdversarySpec {
  /** Faulty shards at most, crashed and Byzantine together (Walrus's f). */
  readonly budget: number;
  /** Actors that may crash at any point (a crash stops the actor for good). */
  readonly crash?: readonly string[];
  /** Actors that are Byzantine from the start: their machines do not run, they send from the menu. */
  readonly byzantine?: readonly string[];
  /**
   * What each Byzantine actor may send, by actor name, or a function of the whole state (the
   * adversary sees everything). A Byzantine message, once sent, stays in flight and may be
   * delivered any number of times (the adversary can always send it again), which keeps the
   * state space finite without counting resends.
   */
  readonly menu?:
    | Readonly<Record<string, readonly OutgoingMessage[]>>
    | ((view: SystemView, actor: string) => readonly OutgoingMessage[]);
  /**
   * The Byzantine actors' menus (a record) are in flight from the initial state instead of sent one
   * message at a time. A Byzantine message is never consumed, so a message sent later can as well
   * be delivered later: the correct actors behave the same, and only the states where part of a
   * menu is still unsent are left out. Not with a property that reads the network.
   */
  readonly menuInFlight?: boolean;
}

/**
 * Interchangeable actors (the same machine, inputs that differ only in identity). States that
 * differ by a permutation of the group are explored once. Identities inside contexts and events
 * are rewritten by the model's functions; `perm[i]` is the new group position of the member at
 * position i.
 */
export interface SymmetrySpec {
  readonly actors: readonly string[];
  /** An actor's context with the group's identities permuted. */
  readonly renameContext?: (actor: string, context: unknown, perm: readonly number[]) => unknown;
  /** An event with the group's identities permuted. */
  readonly renameEvent?: (event: EventObject, perm: readonly number[]) => EventObject;
}

/**
 * A global state, as 16-bit words (so that V8 keeps a typical state of a few dozen words on its
 * heap): one local-state id per actor; with an adversary, two fault words (bit a of the first:
 * actor a crashed; of the second: actor a is Byzantine); then the ids of the messages in flight —
 * sorted on an unordered network, grouped by link (sender, recipient) and in send order within a
 * link on a FIFO network.
 */
export type SystemState = Uint16Array;

/** An action of the system. `at` is the position of the message in the state. */
export type SystemAction =
  | { readonly kind: "deliver"; readonly message: number; readonly at: number; readonly keep?: boolean }
  | { readonly kind: "drop"; readonly message: number; readonly at: number }
  | { readonly kind: "internal"; readonly actor: number; readonly event: number }
  | { readonly kind: "crash"; readonly actor: number }
  | { readonly kind: "byzantine"; readonly actor: number; readonly message: number };

/** Whether an actor runs its machine, has crashed, or is played by the adversary. */
export type ActorStatus = "correct" | "crashed" | "byzantine";

/** What properties see of a state. */
export interface SystemView {
  readonly actors: readonly SnapshotFrom<AnyStateMachine>[];
  readonly status: readonly ActorStatus[];
  readonly messages: readonly Message[];
}

/**
 * A property of an actor system. `reads` names the actors whose snapshot or status it looks at
 * (and `network` for the messages in flight); `readsStatusOf`, actors whose status alone it looks
 * at; the view it gets lets it read nothing else. Actions that change nothing a property reads are
 * invisible to it, which is what lets partial-order reduction reorder them. Without `reads` a
 * property reads everything.
 *
 * `parts` says that `holds` is a function of these parts alone, each reading one actor of `reads`
 * ({@link everyActor}, {@link someActor}, {@link ofParts} write both): the parts are the atomic
 * propositions of the property, so a step of one actor can change it only by changing one of its
 * own parts, which partial-order reduction decides in that actor's local state alone.
 */
export type SystemProperty = Property<SystemView> & {
  readonly reads?: readonly string[];
  readonly readsStatusOf?: readonly string[];
  readonly parts?: readonly ActorPart[];
};

/** A part of a property that reads one actor alone. */
export interface ActorPart {
  /** The actor it reads. */
  readonly actor: string;
  /** Its value in a view of that actor alone. */
  readonly holds: (view: SystemView) => boolean;
}

/**
 * `reads`, `holds` and `parts` of a property that is `combine` of named parts, each reading one
 * actor alone: soundness of a storage challenge, "no node both threw its slivers away and is
 * certified on the chain", is one, whose parts read the chain and the node apart.
 */
export function ofParts<K extends string>(
  parts: Readonly<Record<K, ActorPart>>,
  combine: (value: (key: K) => boolean) => boolean,
): Pick<SystemProperty, "reads" | "holds" | "parts"> {
  const list = Object.values<ActorPart>(parts);
  return {
    reads: [...new Set(list.map((part) => part.actor))],
    holds: (view) =>
      combine((key) => {
        const part: ActorPart | undefined = parts[key];
        if (part === undefined) throw new ModelError(`a property asks for a part "${key}" it was not given`);
        return part.holds(view);
      }),
    parts: list,
  };
}

/**
 * `reads`, `holds` and `parts` of a property that holds when `part` holds for every actor of
 * `actors`, each part reading its own actor alone.
 */
export function everyActor(
  actors: readonly string[],
  part: (view: SystemView, actor: string) => boolean,
): Pick<SystemProperty, "reads" | "holds" | "parts"> {
  return {
    reads: actors,
    holds: (view) => actors.every((a) => part(view, a)),
    parts: actors.map((actor) => ({ actor, holds: (view) => part(view, actor) })),
  };
}

/** As {@link everyActor}, for a property that holds when `part` holds for some actor of `actors`. */
export function someActor(
  actors: readonly string[],
  part: (view: SystemView, actor: string) => boolean,
): Pick<SystemProperty, "reads" | "holds" | "parts"> {
  return {
    reads: actors,
    holds: (view) => actors.some((a) => part(view, a)),
    parts: actors.map((actor) => ({ actor, holds: (view) => part(view, actor) })),
  };
}

/** An actor system to check: its actors, network, adversary, symmetry and properties. */
export interface ActorModelSpec {
  readonly name: string;
  readonly actors: readonly ActorSpec[];
  readonly network?: NetworkKind | NetworkSpec;
  readonly adversary?: AdversarySpec;
  readonly symmetry?: SymmetrySpec;
  readonly properties: readonly SystemProperty[];
  /**
   * Messages to an actor in a final state leave the network at once (when sent, or when the actor
   * finishes): it would consume them one by one without doing anything, in every order, which
   * multiplies the states and changes nothing any actor does. Not allowed with a property that
   * reads the network, which would see the difference.
   */
  readonly dropToFinished?: boolean;
}
