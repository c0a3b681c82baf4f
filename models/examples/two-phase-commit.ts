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

function withRm(state: TwoPhaseState, rm: number, value: number): TwoPhaseState {
  const rmState = state.rmState.slice();
  rmState[rm] = value;
  return { ...state, rmState };
}

/** Options of the example: `commitEarly` seeds a bug (the TM commits once any RM is prepared). */
export interface TwoPhaseOptions {
  readonly commitEarly?: boolean;
}

/** TwoPhase with `rms` resource managers. */
export function twoPhaseCommit(rms: number, options: TwoPhaseOptions = {}): Model<TwoPhaseState, TwoPhaseAction> {
  if (!Number.isInteger(rms) || rms < 1 || rms > 30)
    throw new RangeError(`rms must be an integer in 1..30, got ${rms}`);
  const all = 2 ** rms - 1;
  const words = new Int32Array(rms + 4);
  // The fingerprinted words: the RM states, the TM state, the two sets, the two message flags.
  const unpacked = (state: TwoPhaseState, out: Int32Array) => {
    for (let rm = 0; rm < rms; rm++) out[rm] = state.rmState[rm];
    out[rms] = state.tmState;
    out[rms + 1] = state.tmPrepared;
    out[rms + 2] = state.msgPrepared;
    out[rms + 3] = (state.msgCommit ? 1 : 0) | (state.msgAbort ? 2 : 0);
    return out;
  };
  // Packed for the parallel search: sixteen 2-bit RM states a word, then the TM state with the
  // message flags, and the two sets.
  const rmWords = Math.ceil(rms / 16);
  return {
    name: `two-phase-commit(${rms})${options.commitEarly ? " with the commit-early bug" : ""}`,
    initStates: () => [
      {
        rmState: new Array(rms).fill(RM_WORKING),
        tmState: TM_INIT,
        tmPrepared: 0,
        msgPrepared: 0,
        msgCommit: false,
        msgAbort: false,
      },
    ],
    actions(state, out) {
      if (state.tmState === TM_INIT) {
        for (let rm = 0; rm < rms; rm++) if (state.msgPrepared & (1 << rm)) out.push({ type: "TMRcvPrepared", rm });
        const canCommit = options.commitEarly ? state.tmPrepared !== 0 : state.tmPrepared === all;
        if (canCommit) out.push({ type: "TMCommit" });
        out.push({ type: "TMAbort" });
      }
      for (let rm = 0; rm < rms; rm++) {
        if (state.rmState[rm] === RM_WORKING) {
          out.push({ type: "RMPrepare", rm });
          out.push({ type: "RMChooseToAbort", rm });
        }
        if (state.msgCommit) out.push({ type: "RMRcvCommitMsg", rm });
        if (state.msgAbort) out.push({ type: "RMRcvAbortMsg", rm });
      }
    },
    nextState(state, action) {
      switch (action.type) {
        case "TMRcvPrepared":
          return { ...state, tmPrepared: state.tmPrepared | (1 << action.rm) };
        case "TMCommit":
          return { ...state, tmState: TM_COMMITTED, msgCommit: true };
        case "TMAbort":
          return { ...state, tmState: TM_ABORTED, msgAbort: true };
        case "RMPrepare":
          return { ...withRm(state, action.rm, RM_PREPARED), msgPrepared: state.msgPrepared | (1 << action.rm) };
        case "RMChooseToAbort":
          return withRm(state, action.rm, RM_ABORTED);
        case "RMRcvCommitMsg":
          return withRm(state, action.rm, RM_COMMITTED);
        case "RMRcvAbortMsg":
          return withRm(state, action.rm, RM_ABORTED);
      }
    },
    fingerprint(state, out: Fingerprint) {
      fingerprintWords(unpacked(state, words), rms + 4, out);
    },
    portable: {
      words: rmWords + 3,
      encode(state, out, at) {
        out.fill(0, at, at + rmWords);
        for (let rm = 0; rm < rms; rm++) out[at + (rm >>> 4)] |= state.rmState[rm] << ((rm & 15) << 1);
        out[at + rmWords] = state.tmState | (state.msgCommit ? 4 : 0) | (state.msgAbort ? 8 : 0);
        out[at + rmWords + 1] = state.tmPrepared;
        out[at + rmWords + 2] = state.msgPrepared;
      },
      decode(w, at) {
        // Built like the initial state's array (same elements kind), so that the model's code stays monomorphic.
        const rmState: number[] = new Array(rms).fill(RM_WORKING);
        for (let rm = 0; rm < rms; rm++) rmState[rm] = (w[at + (rm >>> 4)] >>> ((rm & 15) << 1)) & 3;
        const tm = w[at + rmWords];
        return {
          rmState,
          tmState: tm & 3,
          tmPrepared: w[at + rmWords + 1],
          msgPrepared: w[at + rmWords + 2],
          msgCommit: (tm & 4) !== 0,
          msgAbort: (tm & 8) !== 0,
        };
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
