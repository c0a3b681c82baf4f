/**
 * Two-phase commit exactly as Lamport's TwoPhase.tla: a transaction manager (TM) and N resource
 * managers (RMs). The TM's state is its own control state and the set of RMs it knows are
 * prepared; messages form a set that delivery does not consume (a duplicating network), so a
 * message once sent can be received any number of times.
 *
 * Actions (the disjuncts of TwoPhase.tla's Next): TMRcvPrepared(rm), TMCommit, TMAbort,
 * RMPrepare(rm), RMChooseToAbort(rm), RMRcvCommitMsg(rm), RMRcvAbortMsg(rm).
 * Invariant TCConsistent: no RM has committed while another has aborted.
 *
 * Modelled this way the reachable state space is known from TLC and Stateright: 288 states for
 * 3 RMs, 8 832 for 5, 296 448 for 7, 1 745 408 for 8 — the external check that the checker
 * explores exactly what it should.
 */

import { fingerprintWords } from "../../checker/fingerprint.js";
import type { Fingerprint, Model, Source } from "../../checker/model.js";

const TWO_PHASE_TLA = "tlaplus/Examples: specifications/transaction_commit/TwoPhase.tla";

/** The claims and sources of the two-phase-commit properties, shared with the xstate version. */
export const TWO_PHASE_CLAIMS = {
  consistent: {
    claim: "No resource manager has committed while another has aborted (TwoPhase.tla implements TCommit).",
    source: {
      files: ["tlaplus/Examples: specifications/transaction_commit/TCommit.tla", TWO_PHASE_TLA],
      detail: "invariant TCConsistent",
    },
  },
  allCommitted: {
    claim: "TCConsistent is not vacuous: every resource manager can commit.",
    source: { files: [TWO_PHASE_TLA] },
  },
  allAborted: {
    claim: "TCConsistent is not vacuous: every resource manager can abort.",
    source: { files: [TWO_PHASE_TLA] },
  },
} as const satisfies Record<string, { claim: string; source: Source }>;

export const RM_WORKING = 0;
export const RM_PREPARED = 1;
export const RM_COMMITTED = 2;
export const RM_ABORTED = 3;
export const TM_INIT = 0;
export const TM_COMMITTED = 1;
export const TM_ABORTED = 2;
const RM_STATE_NAMES = ["working", "prepared", "committed", "aborted"];
const TM_STATE_NAMES = ["init", "committed", "aborted"];

/** A state of TwoPhase: sets are bit masks over RM indices. */
export interface TwoPhaseState {
  readonly rmState: readonly number[];
  readonly tmState: number;
  /** RMs the TM knows are prepared. */
  readonly tmPrepared: number;
  /** The messages sent so far: Prepared(rm) for each bit, Commit, Abort. */
  readonly msgPrepared: number;
  readonly msgCommit: boolean;
  readonly msgAbort: boolean;
}

export type TwoPhaseAction =
  | { readonly type: "TMRcvPrepared"; readonly rm: number }
  | { readonly type: "TMCommit" }
  | { readonly type: "TMAbort" }
  | { readonly type: "RMPrepare"; readonly rm: number }
  | { readonly type: "RMChooseToAbort"; readonly rm: number }
  | { readonly type: "RMRcvCommitMsg"; readonly rm: number }
  | { readonly type: "RMRcvAbortMsg"; readonly rm: number };

/**
 * A state written out field by field rather than spread from another: every state then has one
 * shape, and the search's hot loop stays monomorphic (a spread of the previous state took 40 % of
 * an 8-RM search, profiled).
 */
function stateOf(
  rmState: readonly number[],
  tmState: number,
  tmPrepared: number,
  msgPrepared: number,
  msgCommit: boolean,
  msgAbort: boolean,
): TwoPhaseState {
  return { rmState, tmState, tmPrepared, msgPrepared, msgCommit, msgAbort };
}

/** A state whose fields can be written: one being built, or the scratch state of `Model.transient`. */
type Writable = { -readonly [K in keyof TwoPhaseState]: TwoPhaseState[K] } & { rmState: number[] };

/** A state of `rms` working RMs and nothing sent: the initial state, or one to write into. */
function initial(rms: number): Writable {
  return stateOf(new Array<number>(rms).fill(RM_WORKING), TM_INIT, 0, 0, false, false) as Writable;
}

/** `state` after `action` (TwoPhase.tla's actions), written into `into`, which it returns. */
function step(state: TwoPhaseState, action: TwoPhaseAction, into: Writable): Writable {
  const rmState = into.rmState;
  for (let rm = 0; rm < rmState.length; rm++) rmState[rm] = state.rmState[rm];
  into.tmState = state.tmState;
  into.tmPrepared = state.tmPrepared;
  into.msgPrepared = state.msgPrepared;
  into.msgCommit = state.msgCommit;
  into.msgAbort = state.msgAbort;
  switch (action.type) {
    case "TMRcvPrepared":
      into.tmPrepared |= 1 << action.rm;
      break;
    case "TMCommit":
      into.tmState = TM_COMMITTED;
      into.msgCommit = true;
      break;
    case "TMAbort":
      into.tmState = TM_ABORTED;
      into.msgAbort = true;
      break;
    case "RMPrepare":
      rmState[action.rm] = RM_PREPARED;
      into.msgPrepared |= 1 << action.rm;
      break;
    case "RMChooseToAbort":
    case "RMRcvAbortMsg":
      rmState[action.rm] = RM_ABORTED;
      break;
    case "RMRcvCommitMsg":
      rmState[action.rm] = RM_COMMITTED;
      break;
  }
  return into;
}

const TM_COMMIT: TwoPhaseAction = { type: "TMCommit" };
const TM_ABORT: TwoPhaseAction = { type: "TMAbort" };

export interface TwoPhaseOptions {
  readonly commitEarly?: boolean;
}

/** TwoPhase with `rms` resource managers. */
export function twoPhaseCommit(rms: number, options: TwoPhaseOptions = {}): Model<TwoPhaseState, TwoPhaseAction> {
  if (!Number.isInteger(rms) || rms < 1 || rms > 30)
    throw new RangeError(`rms must be an integer in 1..30, got ${rms}`);
  const all = 2 ** rms - 1;
  // Packed: sixteen 2-bit RM states a word, then the TM state with the message flags, and the two
  // sets; what the fingerprint hashes and the parallel search sends.
  const rmWords = Math.ceil(rms / 16);
  const words = new Int32Array(rmWords + 3);
  const pack = (state: TwoPhaseState, out: Int32Array, at: number) => {
    out.fill(0, at, at + rmWords);
    for (let rm = 0; rm < rms; rm++) out[at + (rm >>> 4)] |= state.rmState[rm] << ((rm & 15) << 1);
    out[at + rmWords] = state.tmState | (state.msgCommit ? 4 : 0) | (state.msgAbort ? 8 : 0);
    out[at + rmWords + 1] = state.tmPrepared;
    out[at + rmWords + 2] = state.msgPrepared;
  };
  const scratch = initial(rms);
  // Actions are values: each made once.
  const perRm = Object.fromEntries(
    (["TMRcvPrepared", "RMPrepare", "RMChooseToAbort", "RMRcvCommitMsg", "RMRcvAbortMsg"] as const).map((type) => [
      type,
      Array.from({ length: rms }, (_, rm) => ({ type, rm }) as TwoPhaseAction),
    ]),
  ) as Record<"TMRcvPrepared" | "RMPrepare" | "RMChooseToAbort" | "RMRcvCommitMsg" | "RMRcvAbortMsg", TwoPhaseAction[]>;
  return {
    name: `two-phase-commit(${rms})${options.commitEarly ? " with the commit-early bug" : ""}`,
    initStates: () => [initial(rms)],
    actions(state, out) {
      if (state.tmState === TM_INIT) {
        for (let rm = 0; rm < rms; rm++) if (state.msgPrepared & (1 << rm)) out.push(perRm.TMRcvPrepared[rm]);
        const canCommit = options.commitEarly ? state.tmPrepared !== 0 : state.tmPrepared === all;
        if (canCommit) out.push(TM_COMMIT);
        out.push(TM_ABORT);
      }
      for (let rm = 0; rm < rms; rm++) {
        if (state.rmState[rm] === RM_WORKING) {
          out.push(perRm.RMPrepare[rm]);
          out.push(perRm.RMChooseToAbort[rm]);
        }
        if (state.msgCommit) out.push(perRm.RMRcvCommitMsg[rm]);
        if (state.msgAbort) out.push(perRm.RMRcvAbortMsg[rm]);
      }
    },
    nextState: (state, action) => step(state, action, initial(rms)),
    // Successors into one scratch state, copied only when the search keeps one (Model.transient).
    transient: {
      next: (state, action) => step(state, action, scratch),
      keep: (state) =>
        stateOf(
          state.rmState.slice(),
          state.tmState,
          state.tmPrepared,
          state.msgPrepared,
          state.msgCommit,
          state.msgAbort,
        ),
    },
    fingerprint(state, out: Fingerprint) {
      pack(state, words, 0);
      fingerprintWords(words, rmWords + 3, out);
    },
    portable: {
      words: rmWords + 3,
      encode: pack,
      decode(w, at) {
        // Built as every other state (one shape), so that the model's code stays monomorphic.
        const state = initial(rms);
        for (let rm = 0; rm < rms; rm++) state.rmState[rm] = (w[at + (rm >>> 4)] >>> ((rm & 15) << 1)) & 3;
        const tm = w[at + rmWords];
        state.tmState = tm & 3;
        state.tmPrepared = w[at + rmWords + 1];
        state.msgPrepared = w[at + rmWords + 2];
        state.msgCommit = (tm & 4) !== 0;
        state.msgAbort = (tm & 8) !== 0;
        return state;
      },
    },
    properties: [
      {
        kind: "always",
        id: "tc-consistent",
        name: "TCConsistent",
        ...TWO_PHASE_CLAIMS.consistent,
        holds: (s) => !(s.rmState.includes(RM_COMMITTED) && s.rmState.includes(RM_ABORTED)),
      },
      {
        kind: "sometimes",
        id: "witness-all-committed",
        name: "all committed",
        ...TWO_PHASE_CLAIMS.allCommitted,
        holds: (s) => s.rmState.every((r) => r === RM_COMMITTED),
      },
      {
        kind: "sometimes",
        id: "witness-all-aborted",
        name: "all aborted",
        ...TWO_PHASE_CLAIMS.allAborted,
        holds: (s) => s.rmState.every((r) => r === RM_ABORTED),
      },
    ],
    formatAction: (action) => ("rm" in action ? `${action.type}(rm${action.rm})` : action.type),
    actionKind: (action) => {
      switch (action.type) {
        case "TMCommit":
        case "TMAbort":
          return "tm";
        case "RMPrepare":
        case "RMChooseToAbort":
          return "rm";
        case "TMRcvPrepared":
        case "RMRcvCommitMsg":
        case "RMRcvAbortMsg":
          return "deliver";
      }
    },
    // The variables of TwoPhase.tla with its values: RMs are named as formatAction names them.
    describe(state) {
      const names = state.rmState.map((_, rm) => `rm${rm}`);
      const rmsIn = (mask: number) => names.filter((_, rm) => mask & (1 << rm));
      return {
        rmState: Object.fromEntries(names.map((name, rm) => [name, RM_STATE_NAMES[state.rmState[rm]]])),
        tmState: TM_STATE_NAMES[state.tmState],
        tmPrepared: new Set(rmsIn(state.tmPrepared)),
        msgs: new Set<Record<string, string>>([
          ...rmsIn(state.msgPrepared).map((rm) => ({ type: "Prepared", rm })),
          ...(state.msgCommit ? [{ type: "Commit" }] : []),
          ...(state.msgAbort ? [{ type: "Abort" }] : []),
        ]),
      };
    },
  };
}
