/**
 * Two-phase commit as xstate machines: Lamport's TwoPhase.tla with one transaction manager (TM)
 * and N resource managers (RMs) exchanging messages over a duplicating network (a set of messages
 * that delivery does not consume). Each TLA+ action is a transition:
 *
 * | TwoPhase.tla          | here                                                        |
 * |-----------------------|-------------------------------------------------------------|
 * | RMPrepare(rm)         | RM internal event `RMPrepare`: working → prepared, sends Prepared |
 * | RMChooseToAbort(rm)   | RM internal event `RMChooseToAbort`: working → aborted        |
 * | TMRcvPrepared(rm)     | TM receives `Prepared` in state init: adds rm to tmPrepared   |
 * | TMCommit              | TM internal event `TMCommit`, guard `allPrepared`: sends Commit to every RM |
 * | TMAbort               | TM internal event `TMAbort`: sends Abort to every RM          |
 * | RMRcvCommitMsg(rm)    | RM receives `Commit`: → committed                             |
 * | RMRcvAbortMsg(rm)     | RM receives `Abort`: → aborted                                |
 *
 * The state counts equal TwoPhase.tla's (288 for 3 RMs, 8 832 for 5, 296 448 for 7).
 *
 * Messages are one discriminated union, {@link TwoPhaseMessage}, and the `send` action takes a
 * message of it with its recipient: a misspelled message type, a missing field or a recipient that
 * is not an actor of the system does not compile (the checker would otherwise deliver the message
 * to no transition and drop it without a word).
 */

import { match } from "ts-pattern";
import { assign, type EventObject, setup } from "xstate";
import { ActorModel, type SystemView } from "../../checker/actors.js";
import { TWO_PHASE_CLAIMS } from "./two-phase-commit.js";

/** RM → TM: the RM is prepared (TwoPhase.tla's `[type |-> "Prepared", rm |-> r]`). */
export interface Prepared {
  readonly type: "Prepared";
  readonly rm: number;
}

/** TM → every RM: commit (TwoPhase.tla's `[type |-> "Commit"]`). */
export interface Commit {
  readonly type: "Commit";
}

/** TM → every RM: abort (TwoPhase.tla's `[type |-> "Abort"]`). */
export interface Abort {
  readonly type: "Abort";
}

/** Every message of two-phase commit: TwoPhase.tla's `Messages`. */
export type TwoPhaseMessage = Prepared | Commit | Abort;

/** An actor of the system: the TM or one of the RMs, named by its index. */
export type TwoPhaseActor = "TM" | `RM${number}`;

/** A message with its recipient: the params of the `send` action. */
export type TwoPhaseOutgoing = TwoPhaseMessage & { readonly to: TwoPhaseActor };

/** The send action: it does nothing itself; its params are the message, `to` naming the recipient. */
export const sendTwoPhaseMessage = (_: unknown, _params: TwoPhaseOutgoing) => {};

/** The message with the RMs renamed by `perm` (symmetry): only `Prepared` names an RM. */
const renameMessage = (message: TwoPhaseMessage, perm: readonly number[]): TwoPhaseMessage =>
  match(message)
    .returnType<TwoPhaseMessage>()
    .with({ type: "Prepared" }, (prepared) => ({ ...prepared, rm: perm[prepared.rm] }))
    .with({ type: "Commit" }, { type: "Abort" }, (decision) => decision)
    .exhaustive();

function resourceManager() {
  return setup({
    types: {} as {
      context: { rm: number };
      input: { rm: number };
      events: { type: "RMPrepare" | "RMChooseToAbort" } | Commit | Abort;
    },
    actions: { send: sendTwoPhaseMessage },
  }).createMachine({
    id: "RM",
    context: ({ input }) => ({ rm: input.rm }),
    initial: "working",
    states: {
      working: {
        on: {
          RMPrepare: {
            target: "prepared",
            actions: { type: "send", params: ({ context }) => ({ to: "TM", type: "Prepared", rm: context.rm }) },
          },
          RMChooseToAbort: { target: "aborted" },
          Commit: { target: "committed" },
          Abort: { target: "aborted" },
        },
      },
      prepared: { on: { Commit: { target: "committed" }, Abort: { target: "aborted" } } },
      committed: { on: { Commit: { target: "committed" }, Abort: { target: "aborted" } } },
      aborted: { on: { Commit: { target: "committed" }, Abort: { target: "aborted" } } },
    },
  });
}

function transactionManager(rms: number) {
  const toEveryRm = (decision: Commit | Abort) =>
    Array.from({ length: rms }, (_, rm) => ({
      type: "send" as const,
      params: { to: `RM${rm}`, ...decision } satisfies TwoPhaseOutgoing,
    }));
  return setup({
    types: {} as {
      context: { tmPrepared: number[] };
      events: Prepared | { type: "TMCommit" } | { type: "TMAbort" };
    },
    actions: {
      send: sendTwoPhaseMessage,
      recordPrepared: assign({
        tmPrepared: ({ context }, prepared: Prepared) =>
          context.tmPrepared.includes(prepared.rm)
            ? context.tmPrepared
            : [...context.tmPrepared, prepared.rm].sort((a, b) => a - b),
      }),
    },
    guards: { allPrepared: ({ context }) => context.tmPrepared.length === rms },
  }).createMachine({
    id: "TM",
    context: { tmPrepared: [] },
    initial: "init",
    states: {
      init: {
        on: {
          Prepared: { actions: { type: "recordPrepared", params: ({ event }) => event } },
          TMCommit: { guard: "allPrepared", target: "committed", actions: toEveryRm({ type: "Commit" }) },
          TMAbort: { target: "aborted", actions: toEveryRm({ type: "Abort" }) },
        },
      },
      committed: {},
      aborted: {},
    },
  });
}

const rmValues = (view: SystemView) => view.actors.slice(1).map((snapshot) => snapshot.value);

/** Options: `symmetry` declares the RMs interchangeable (their identities are renamed in contexts and messages). */
export interface TwoPhaseActorsOptions {
  readonly symmetry?: boolean;
}

/** TwoPhase with `rms` resource managers, as an actor system. */
export function twoPhaseCommitActors(rms: number, options: TwoPhaseActorsOptions = {}): ActorModel {
  const rm = resourceManager();
  const names = Array.from({ length: rms }, (_, i) => `RM${i}`);
  return new ActorModel({
    name: `two-phase-commit-actors(${rms})`,
    network: "duplicating",
    ...(options.symmetry
      ? {
          symmetry: {
            actors: names,
            renameContext: (actor: string, context: unknown, perm: readonly number[]) => {
              if (actor === "TM") {
                const { tmPrepared } = context as { tmPrepared: number[] };
                return { tmPrepared: tmPrepared.map((i) => perm[i]).sort((a, b) => a - b) };
              }
              return { rm: perm[(context as { rm: number }).rm] };
            },
            // The network holds only messages this module's machines send.
            renameEvent: (event: EventObject, perm: readonly number[]) => renameMessage(event as TwoPhaseMessage, perm),
          },
        }
      : {}),
    actors: [
      { name: "TM", machine: transactionManager(rms), internalEvents: [{ type: "TMCommit" }, { type: "TMAbort" }] },
      ...Array.from({ length: rms }, (_, i) => ({
        name: `RM${i}`,
        machine: rm,
        input: { rm: i },
        internalEvents: [{ type: "RMPrepare" }, { type: "RMChooseToAbort" }],
      })),
    ],
    properties: [
      {
        kind: "always",
        id: "tc-consistent",
        name: "TCConsistent",
        ...TWO_PHASE_CLAIMS.consistent,
        reads: names,
        holds: (view) => !(rmValues(view).includes("committed") && rmValues(view).includes("aborted")),
      },
      {
        kind: "sometimes",
        id: "witness-all-committed",
        name: "all committed",
        ...TWO_PHASE_CLAIMS.allCommitted,
        reads: names,
        holds: (view) => rmValues(view).every((v) => v === "committed"),
      },
      {
        kind: "sometimes",
        id: "witness-all-aborted",
        name: "all aborted",
        ...TWO_PHASE_CLAIMS.allAborted,
        reads: names,
        holds: (view) => rmValues(view).every((v) => v === "aborted"),
      },
    ],
  });
}
