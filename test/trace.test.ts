/**
 * Counterexamples as an auditor meets them: the seeded two-phase-commit bug as numbered steps with
 * what changed, as ITF JSON that round-trips and replays (and stops replaying, at the right step,
 * once tampered with), malformed trace files rejected with typed errors, and the actor version's
 * "all committed" witness as a Mermaid sequence diagram.
 */

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ActorModel, SystemAction, SystemState } from "../checker/actors.js";
import type { Model } from "../checker/model.js";
import { PathError, followActionPath, toActionPath } from "../checker/path.js";
import type { Path } from "../checker/path.js";
import { checkModel } from "../checker/search.js";
import {
  TraceError,
  decodeItf,
  encodeItf,
  formatPath,
  formatValue,
  type ItfTrace,
  mermaidText,
  parseItf,
  replayTrace,
  toItf,
  toMermaidSequence,
  writeTraceFiles,
} from "../checker/trace.js";
import { findModel } from "../models/index.js";

const work = mkdtempSync(join(tmpdir(), "walrus-spec-trace-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function build(name: string): Model<unknown, unknown> {
  const entry = findModel(name);
  if (!entry) throw new Error(`no model ${name}`);
  return entry.build();
}

/** The model checked from scratch and the path the search reports for `property`. */
function discovery(name: string, property: string) {
  const model = build(name);
  const result = checkModel(model).properties.find((p) => p.name === property);
  if (result?.kind === "always" && !result.holds) return { model, path: result.counterexample, kind: result.kind };
  if (result?.kind === "sometimes" && result.holds) return { model, path: result.witness, kind: result.kind };
  throw new Error(`no discovery for ${property}`);
}

const buggy = discovery("two-phase-commit-3-buggy", "TCConsistent");
const buggyMeta = { model: "two-phase-commit-3-buggy", property: "tc-consistent", kind: "always" } as const;
/** A deep copy to tamper with. */
const copy = (trace: ItfTrace) => JSON.parse(JSON.stringify(trace));

describe("numbered steps", () => {
  it("pins the seeded bug's counterexample: each action and what it changed", () => {
    expect(formatPath(buggy.model, buggy.path)).toEqual([
      "  0. initial state",
      '     rmState: {rm0: "working", rm1: "working", rm2: "working"}',
      '     tmState: "init"',
      "     tmPrepared: {}",
      "     msgs: {}",
      "  1. RMPrepare(rm0)",
      '     rmState.rm0: "working" → "prepared"',
      '     msgs: + {type: "Prepared", rm: "rm0"}',
      "  2. TMRcvPrepared(rm0)",
      '     tmPrepared: + "rm0"',
      "  3. TMCommit",
      '     tmState: "init" → "committed"',
      '     msgs: + {type: "Commit"}',
      "  4. RMRcvCommitMsg(rm0)",
      '     rmState.rm0: "prepared" → "committed"',
      "  5. RMChooseToAbort(rm1)",
      '     rmState.rm1: "working" → "aborted"',
    ]);
  });

  it("aligns numbers past 9 and shows the actor network as messages added", () => {
    const { model, path } = discovery("two-phase-commit-3", "all committed");
    const lines = formatPath(model, path);
    expect(lines.slice(0, 6)).toEqual([
      "   0. initial state",
      '      TM: {state: "init", context: {tmPrepared: []}}',
      '      RM0: {state: "working", context: {rm: 0}}',
      '      RM1: {state: "working", context: {rm: 1}}',
      '      RM2: {state: "working", context: {rm: 2}}',
      "      network: {}",
    ]);
    expect(lines.slice(lines.indexOf("   7. TM: TMCommit"))).toEqual([
      "   7. TM: TMCommit",
      '      TM.state: "init" → "committed"',
      '      network: + {from: "TM", to: "RM0", type: "Commit"}, + {from: "TM", to: "RM1", type: "Commit"}, + {from: "TM", to: "RM2", type: "Commit"}',
      "   8. TM → RM0: Commit",
      '      RM0.state: "prepared" → "committed"',
      "   9. TM → RM1: Commit",
      '      RM1.state: "prepared" → "committed"',
      "  10. TM → RM2: Commit",
      '      RM2.state: "prepared" → "committed"',
    ]);
    expect(lines).toContain("      TM.context.tmPrepared: + 1");
  });

  it("cuts long initial values, shows whole values when shorter than the delta, and says when nothing visible changed", () => {
    const model: Model<number, "up" | "same"> = {
      name: "counter",
      initStates: () => [0],
      actions: (_, out) => out.push("up", "same"),
      nextState: (s, a) => (a === "up" ? s + 1 : s + 0.5),
      fingerprint: (s, out) => {
        out.hi = 0;
        out.lo = s * 2;
      },
      properties: [],
      describe: (s) => ({ n: Math.floor(s), list: Array.from({ length: Math.floor(s) + 30 }, (_, i) => i) }),
    };
    const path = followActionPath(model, { init: 0, actions: [0, 1] });
    const lines = formatPath(model, path, { maxValueLength: 20 });
    expect(lines).toEqual([
      "  0. initial state",
      "     n: 0",
      "     list: [0, 1, 2, 3, 4, 5, …",
      '  1. "up"',
      "     n: 0 → 1",
      "     list: + 30",
      '  2. "same"',
      "     (no visible change)",
    ]);
  });

  it("follows a list of keyed records entry by entry; a list of messages stays a set", () => {
    type S = { blobs: { blobId: string; status: string }[]; held: { type: string; from: string }[] };
    const states: S[] = [
      {
        blobs: [
          { blobId: "A", status: "registered" },
          { blobId: "B", status: "registered" },
        ],
        held: [{ type: "Read", from: "r1" }],
      },
      {
        blobs: [
          { blobId: "A", status: "registered" },
          { blobId: "B", status: "certified" },
        ],
        held: [{ type: "Read", from: "r2" }],
      },
    ];
    const model: Model<number, "next"> = {
      name: "keyed",
      initStates: () => [0],
      actions: (s, out) => (s === 0 ? out.push("next") : undefined),
      nextState: (s) => s + 1,
      fingerprint: (s, out) => {
        out.hi = 0;
        out.lo = s;
      },
      properties: [],
      describe: (s) => states[s] as unknown as Record<string, unknown>,
    };
    const lines = formatPath(model, followActionPath(model, { init: 0, actions: [0] }));
    expect(lines.slice(lines.indexOf('  1. "next"'))).toEqual([
      '  1. "next"',
      '     blobs[1].status: "registered" → "certified"',
      '     held: + {type: "Read", from: "r2"}, − {type: "Read", from: "r1"}',
    ]);
  });
});

describe("values in ITF", () => {
  it("writes integers beyond 2^53 as #bigint, sets, maps, bytes and records as ITF says", () => {
    const value = {
      small: 5n,
      big: 2n ** 64n,
      unsafeNumber: 2 ** 60,
      negative: -(2n ** 53n),
      set: new Set(["a", "b"]),
      map: new Map<unknown, unknown>([[1, { x: true }]]),
      bytes: Uint8Array.of(0, 255, 16),
      list: [1, "two"],
      skipped: undefined,
    };
    const encoded = encodeItf(value);
    expect(encoded).toEqual({
      small: 5,
      big: { "#bigint": "18446744073709551616" },
      unsafeNumber: { "#bigint": "1152921504606846976" },
      negative: { "#bigint": "-9007199254740992" },
      set: { "#set": ["a", "b"] },
      map: { "#map": [[1, { x: true }]] },
      bytes: "00ff10",
      list: [1, "two"],
    });
    const decoded = decodeItf(encoded) as Record<string, unknown>;
    expect(decoded.big).toBe(2n ** 64n);
    expect(decoded.small).toBe(5);
    expect(decoded.set).toEqual(new Set(["a", "b"]));
    expect(decoded.map).toEqual(new Map([[1, { x: true }]]));
    expect(decodeItf({ "#bigint": "42" })).toBe(42);
    expect(decodeItf({ "#tup": [1, "a"] })).toEqual([1, "a"]);
    expect(formatValue(decoded.map)).toBe("{1 ↦ {x: true}}");
  });

  it("writes null and fractions in ITF's unserializable form and reads them back", () => {
    expect(encodeItf(null)).toEqual({ "#unserializable": "null" });
    expect(encodeItf(0.5)).toEqual({ "#unserializable": "0.5" });
    expect(decodeItf(encodeItf({ stored: null, ratio: -2.25 }))).toEqual({ stored: null, ratio: -2.25 });
  });

  it.each([
    [Number.NaN, "not a finite number"],
    [{ nested: { f: () => 1 } }, "value.nested.f: cannot write function"],
    [{ "#set": 1 }, "starts with #"],
    [new Date(0), "cannot write Date"],
  ])("refuses what ITF cannot hold: %s", (value, message) => {
    expect(() => encodeItf(value)).toThrow(TraceError);
    expect(() => encodeItf(value)).toThrow(message);
  });
});

describe("ITF traces", () => {
  const itf = toItf(buggy.model, buggy.path, buggyMeta);

  it("records the format version, the property by id and name, the verdict and the path as indices and labels", () => {
    expect(itf["#meta"]).toEqual({
      format: "ITF",
      "format-description": "https://apalache-mc.org/docs/adr/015adr-trace.html",
      formatVersion: 2,
      description: "Counterexample to always TCConsistent in two-phase-commit(3) with the commit-early bug: 5 steps",
      model: "two-phase-commit-3-buggy",
      property: "tc-consistent",
      propertyName: "TCConsistent",
      kind: "always",
      verdict: "violation",
      actionPath: { init: 0, actions: [1, 0, 1, 0, 2] },
      actions: ["RMPrepare(rm0)", "TMRcvPrepared(rm0)", "TMCommit", "RMRcvCommitMsg(rm0)", "RMChooseToAbort(rm1)"],
      generator: "walrus-spec",
    });
    expect(itf.vars).toEqual(["rmState", "tmState", "tmPrepared", "msgs"]);
    expect(itf.states).toHaveLength(6);
    expect(itf.states[3]).toEqual({
      "#meta": { index: 3 },
      rmState: { rm0: "prepared", rm1: "working", rm2: "working" },
      tmState: "committed",
      tmPrepared: { "#set": ["rm0"] },
      msgs: { "#set": [{ type: "Prepared", rm: "rm0" }, { type: "Commit" }] },
    });
  });

  it("round-trips through JSON text and replays on a freshly built model", () => {
    const parsed = parseItf(JSON.stringify(itf, null, 2));
    expect(parsed).toEqual(itf);
    const result = replayTrace(build("two-phase-commit-3-buggy"), parsed);
    expect(result.confirmed).toBe(true);
    expect(result.steps).toBe(5);
    expect(result.divergence).toBeUndefined();
    expect(result.path?.steps).toHaveLength(5);
  });

  it("a changed recorded value diverges at exactly that step, saying what differs", () => {
    const tampered = copy(itf);
    tampered.states[3].tmState = "aborted";
    const result = replayTrace(build("two-phase-commit-3-buggy"), parseItf(tampered));
    expect(result.confirmed).toBe(false);
    expect(result.divergence).toEqual({
      step: 3,
      reason: 'the state differs from the trace (trace → replay): tmState: "aborted" → "committed"',
    });
    expect(result.path?.steps).toHaveLength(3);

    const setTampered = copy(itf);
    setTampered.states[5].msgs["#set"].pop();
    expect(replayTrace(build("two-phase-commit-3-buggy"), parseItf(setTampered)).divergence).toEqual({
      step: 5,
      reason: 'the state differs from the trace (trace → replay): msgs: + {type: "Commit"}',
    });
  });

  it("a changed action index diverges at exactly that step, naming both actions", () => {
    const tampered = copy(itf);
    tampered["#meta"].actionPath.actions[3] = 1;
    expect(replayTrace(build("two-phase-commit-3-buggy"), parseItf(tampered)).divergence).toEqual({
      step: 4,
      reason: 'action index 1 is "RMPrepare(rm1)" in the model, "RMRcvCommitMsg(rm0)" in the trace',
    });
    const outOfRange = copy(itf);
    outOfRange["#meta"].actionPath.actions[1] = 99;
    expect(replayTrace(build("two-phase-commit-3-buggy"), parseItf(outOfRange)).divergence).toEqual({
      step: 2,
      reason: "action index 99 is out of range (6 actions enabled)",
    });
    const badInit = copy(itf);
    badInit["#meta"].actionPath.init = 1;
    expect(replayTrace(build("two-phase-commit-3-buggy"), parseItf(badInit)).divergence?.step).toBe(0);
  });

  it("a trace whose verdict does not hold at its last state is not confirmed", () => {
    const prefix: Path<unknown, unknown> = { init: buggy.path.init, steps: buggy.path.steps.slice(0, 4) };
    const result = replayTrace(build("two-phase-commit-3-buggy"), toItf(buggy.model, prefix, buggyMeta));
    expect(result).toMatchObject({
      confirmed: false,
      steps: 4,
      divergence: { step: 4, reason: "TCConsistent holds in the last state: the violation is not reproduced" },
    });
    const claimed = toItf(buggy.model, prefix, { ...buggyMeta, property: "witness-all-committed", kind: "sometimes" });
    expect(replayTrace(build("two-phase-commit-3-buggy"), claimed).divergence?.reason).toBe(
      "all committed does not hold in the last state: the witness is not reproduced",
    );
  });

  it("names the property by id: a name, an unknown id or an id of another kind is a TraceError", () => {
    const refused = (write: () => unknown) => {
      try {
        write();
      } catch (error) {
        return error;
      }
      throw new Error("not refused");
    };
    for (const property of ["TCConsistent", "no-such", "witness-all-committed"]) {
      const error = refused(() => toItf(buggy.model, buggy.path, { ...buggyMeta, property }));
      expect(error).toBeInstanceOf(TraceError);
      expect(error).toMatchObject({ code: "UNKNOWN_PROPERTY", at: "#meta.property" });
    }
    expect(refused(() => toItf(buggy.model, buggy.path, { ...buggyMeta, property: "no-such" }))).toHaveProperty(
      "message",
      '#meta.property: model two-phase-commit(3) with the commit-early bug has no always property with id "no-such" (its always properties: tc-consistent)',
    );
    // A trace read back whose id the model does not have (renamed since, or edited): replay refuses it.
    const renamed = copy(itf);
    renamed["#meta"].property = "tc-consistent-renamed";
    const error = refused(() => replayTrace(build("two-phase-commit-3-buggy"), parseItf(renamed)));
    expect(error).toBeInstanceOf(TraceError);
    expect(error).toMatchObject({ code: "UNKNOWN_PROPERTY", at: "#meta.property" });
    // The name in words is for the reader: replay finds the property by id whatever it says.
    const reworded = copy(itf);
    reworded["#meta"].propertyName = "TC consistent, reworded";
    expect(replayTrace(build("two-phase-commit-3-buggy"), parseItf(reworded)).confirmed).toBe(true);
  });

  it("an actor trace is recorded with the indices a rebuilt model gives (messages are numbered by the search)", () => {
    // In the searched model the TM's Abort messages were numbered before RM0's Prepared; rebuilt
    // and replayed along this path, the other way round.
    const checked = build("two-phase-commit-3") as unknown as ActorModel;
    checkModel(checked);
    const labels = ["RM0: RMPrepare", "TM: TMAbort", "TM → RM0: Abort", "RM1: RMChooseToAbort", "RM2: RMChooseToAbort"];
    let state = checked.initStates()[0];
    const steps: Array<{ action: SystemAction; state: SystemState }> = [];
    for (const label of labels) {
      const enabled: SystemAction[] = [];
      checked.actions(state, enabled);
      const action = enabled.find((a) => checked.formatAction(a) === label) as SystemAction;
      state = checked.nextState(state, action) as SystemState;
      steps.push({ action, state });
    }
    const path = { init: checked.initStates()[0], steps };
    const meta = { model: "two-phase-commit-3", property: "witness-all-aborted", kind: "sometimes" } as const;
    const stale = replayTrace(build("two-phase-commit-3"), toItf(checked, path, meta));
    expect(stale.divergence).toEqual({ step: 3, reason: "action index 0 changes nothing" });
    const fresh = toItf(checked, path, meta, { replayModel: build("two-phase-commit-3") as unknown as ActorModel });
    expect(fresh["#meta"].actionPath.actions).toEqual([2, 2, 1, 9, 11]);
    expect(fresh["#meta"].actions).toEqual(labels);
    expect(replayTrace(build("two-phase-commit-3"), fresh).confirmed).toBe(true);
  });
});

describe("malformed trace files", () => {
  const good = toItf(buggy.model, buggy.path, buggyMeta);
  const mutate = (change: (trace: ReturnType<typeof copy>) => void) => {
    const trace = copy(good);
    change(trace);
    return JSON.stringify(trace);
  };
  const deep = (levels: number): unknown => (levels === 0 ? 1 : [deep(levels - 1)]);

  it.each([
    ["not JSON", "{ states: [", "NOT_JSON", ""],
    ["a JSON array", "[1, 2]", "NOT_ITF", ""],
    ["JSON null", "null", "NOT_ITF", ""],
    ["an object without states", '{"vars": []}', "NOT_ITF", ""],
    [
      "another format",
      mutate((t) => {
        t["#meta"].format = "TLA";
      }),
      "NOT_ITF",
      "#meta.format",
    ],
    ["no #meta", mutate((t) => delete t["#meta"]), "MISSING_FIELD", ""],
    ["no model name", mutate((t) => delete t["#meta"].model), "MISSING_FIELD", "#meta"],
    ["no property name in words", mutate((t) => delete t["#meta"].propertyName), "MISSING_FIELD", "#meta"],
    [
      "format 1 (no version: the property by name)",
      mutate((t) => {
        delete t["#meta"].formatVersion;
        delete t["#meta"].propertyName;
        t["#meta"].property = "TCConsistent";
      }),
      "UNSUPPORTED_VERSION",
      "#meta.formatVersion",
    ],
    [
      "a later format",
      mutate((t) => {
        t["#meta"].formatVersion = 3;
      }),
      "UNSUPPORTED_VERSION",
      "#meta.formatVersion",
    ],
    [
      "a numeric property",
      mutate((t) => {
        t["#meta"].property = 3;
      }),
      "WRONG_TYPE",
      "#meta.property",
    ],
    [
      "an unknown kind",
      mutate((t) => {
        t["#meta"].kind = "never";
      }),
      "WRONG_TYPE",
      "#meta.kind",
    ],
    [
      "a verdict not matching the kind",
      mutate((t) => {
        t["#meta"].verdict = "witness";
      }),
      "INCONSISTENT",
      "#meta.verdict",
    ],
    [
      "a negative action index",
      mutate((t) => {
        t["#meta"].actionPath.actions[2] = -1;
      }),
      "WRONG_TYPE",
      "#meta.actionPath.actions[2]",
    ],
    [
      "a string init",
      mutate((t) => {
        t["#meta"].actionPath.init = "0";
      }),
      "WRONG_TYPE",
      "#meta.actionPath.init",
    ],
    [
      "labels that are not strings",
      mutate((t) => {
        t["#meta"].actions = [1, 2, 3, 4, 5];
      }),
      "WRONG_TYPE",
      "#meta.actions",
    ],
    ["a state too few", mutate((t) => t.states.pop()), "INCONSISTENT", "states"],
    [
      "vars not a list",
      mutate((t) => {
        t.vars = "rmState";
      }),
      "WRONG_TYPE",
      "vars",
    ],
    [
      "a state that is not an object",
      mutate((t) => {
        t.states[2] = [];
      }),
      "WRONG_TYPE",
      "states[2]",
    ],
    [
      "a wrong state index",
      mutate((t) => {
        t.states[2]["#meta"].index = 7;
      }),
      "INCONSISTENT",
      'states[2]["#meta"]',
    ],
    ["a missing variable", mutate((t) => delete t.states[4].msgs), "MISSING_FIELD", "states[4]"],
    [
      "an unlisted variable",
      mutate((t) => {
        t.states[1].extra = 1;
      }),
      "INCONSISTENT",
      "states[1]",
    ],
    [
      "a float",
      mutate((t) => {
        t.states[1].tmState = 1.5;
      }),
      "WRONG_TYPE",
      "states[1].tmState",
    ],
    [
      "a null",
      mutate((t) => {
        t.states[1].rmState.rm0 = null;
      }),
      "WRONG_TYPE",
      "states[1].rmState.rm0",
    ],
    [
      "an unknown tag",
      mutate((t) => {
        t.states[1].msgs = { "#bag": [] };
      }),
      "WRONG_TYPE",
      "states[1].msgs",
    ],
    [
      "a malformed bigint",
      mutate((t) => {
        t.states[1].tmState = { "#bigint": "12a" };
      }),
      "WRONG_TYPE",
      'states[1].tmState["#bigint"]',
    ],
    [
      "a map entry that is no pair",
      mutate((t) => {
        t.states[1].msgs = { "#map": [[1]] };
      }),
      "WRONG_TYPE",
      'states[1].msgs["#map"][0]',
    ],
    [
      "a value nested 300 deep",
      mutate((t) => {
        t.states[1].msgs = deep(300);
      }),
      "WRONG_TYPE",
      undefined,
    ],
  ])("%s → TraceError %s", (_, input, code, at) => {
    let caught: unknown;
    try {
      parseItf(input);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TraceError);
    expect((caught as TraceError).code).toBe(code);
    if (at !== undefined) expect((caught as TraceError).at).toBe(at);
    expect((caught as TraceError).message).not.toMatch(/\n/);
  });
});

describe("Mermaid sequence diagrams", () => {
  it("pins the actor two-phase commit's witness of all RMs committed", () => {
    const { model, path } = discovery("two-phase-commit-3", "all committed");
    expect(
      toMermaidSequence(model, path, "two-phase-commit-3: witness of all committed", {
        name: "all committed",
        kind: "sometimes",
      }),
    ).toBe(
      [
        "sequenceDiagram",
        "  title two-phase-commit-3: witness of all committed",
        "  participant TM",
        "  participant RM0",
        "  participant RM1",
        "  participant RM2",
        "  Note over RM0: RMPrepare",
        "  RM0->>TM: Prepared",
        "  Note over RM1: RMPrepare",
        "  RM1->>TM: Prepared",
        "  Note over RM2: RMPrepare",
        "  RM2->>TM: Prepared",
        "  Note over TM: TMCommit",
        "  TM->>RM0: Commit",
        "  TM->>RM1: Commit",
        "  TM->>RM2: Commit",
        "  Note over TM,RM2: witness of all committed",
        "",
      ].join("\n"),
    );
  });

  it("draws any other model as one participant and names the violated invariant itself", () => {
    expect(toMermaidSequence(buggy.model, buggy.path).split("\n")).toEqual([
      "sequenceDiagram",
      "  participant system",
      "  Note over system: 1. RMPrepare(rm0)",
      "  Note over system: 2. TMRcvPrepared(rm0)",
      "  Note over system: 3. TMCommit",
      "  Note over system: 4. RMRcvCommitMsg(rm0)",
      "  Note over system: 5. RMChooseToAbort(rm1)",
      "  Note over system: violation of TCConsistent",
      "",
    ]);
  });

  it("escapes what would end, comment out or unbalance a Mermaid line", () => {
    expect(mermaidText('a;b#c"d%%e<f>\ng')).toBe("a#59;b#35;c#34;d#37;#37;e#60;f#62; g");
    const model: Model<number, string> = {
      name: "odd labels",
      initStates: () => [0],
      actions: (_, out) => out.push('say "hi"; #1 %% <b>'),
      nextState: (s) => s + 1,
      fingerprint: (s, out) => {
        out.hi = 0;
        out.lo = s;
      },
      properties: [{ kind: "always", id: "small-ok", name: "small; #ok", holds: (s) => s < 1 }],
      formatAction: (a) => a,
    };
    const text = toMermaidSequence(model, followActionPath(model, { init: 0, actions: [0] }), 'a "title"');
    expect(text).toBe(
      [
        "sequenceDiagram",
        "  title a #34;title#34;",
        "  participant system",
        "  Note over system: 1. say #34;hi#34;#59; #35;1 #37;#37; #60;b#62;",
        "  Note over system: violation of small#59; #35;ok",
        "",
      ].join("\n"),
    );
    // Outside entity codes no line holds a character Mermaid treats specially.
    for (const line of text.split("\n")) expect(line.replace(/#\d+;/g, "")).not.toMatch(/[#;%"<>]/);
  });
});

describe("trace files", () => {
  it("writes the ITF and Mermaid files under file-safe names, creating the directory", () => {
    const { model, path } = discovery("two-phase-commit-3", "all committed");
    const dir = join(work, "nested", "out");
    const files = writeTraceFiles(dir, "two-phase-commit-3", model, "witness-all-committed", "sometimes", path, {
      replayModel: build("two-phase-commit-3"),
    });
    expect(files).toEqual({
      itf: join(dir, "two-phase-commit-3.witness-all-committed.itf.json"),
      mermaid: join(dir, "two-phase-commit-3.witness-all-committed.mmd"),
    });
    const trace = parseItf(readFileSync(files.itf, "utf8"));
    expect(trace["#meta"]).toMatchObject({
      property: "witness-all-committed",
      propertyName: "all committed",
      verdict: "witness",
    });
    expect(trace.vars).toEqual(["TM", "RM0", "RM1", "RM2", "network"]);
    expect(trace.states[7].network).toEqual({
      "#set": [
        { from: "TM", to: "RM0", type: "Commit" },
        { from: "TM", to: "RM1", type: "Commit" },
        { from: "TM", to: "RM2", type: "Commit" },
        { from: "RM0", to: "TM", type: "Prepared", rm: 0 },
        { from: "RM1", to: "TM", type: "Prepared", rm: 1 },
        { from: "RM2", to: "TM", type: "Prepared", rm: 2 },
      ],
    });
    expect(replayTrace(build("two-phase-commit-3"), trace).confirmed).toBe(true);
    expect(readFileSync(files.mermaid, "utf8")).toBe(
      toMermaidSequence(model, path, "two-phase-commit-3: witness of all committed", {
        name: "all committed",
        kind: "sometimes",
      }),
    );
  });
});

describe("action paths", () => {
  it("round-trips the counterexample through indices", () => {
    const actionPath = toActionPath(buggy.model, buggy.path);
    expect(actionPath).toEqual({ init: 0, actions: [1, 0, 1, 0, 2] });
    const followed = followActionPath(buggy.model, actionPath);
    expect(followed.steps.map((s) => buggy.model.formatAction?.(s.action))).toEqual(
      buggy.path.steps.map((s) => buggy.model.formatAction?.(s.action)),
    );
  });

  it.each([
    [{ init: 2, actions: [] }, 0, "initial state index 2 is out of range (the model has 1)"],
    [{ init: 0, actions: [2, 9] }, 2, "action index 9 is out of range (9 actions enabled)"],
    [{ init: 0, actions: [1.5] }, 1, "action index 1.5 is out of range (8 actions enabled)"],
    // RM0 prepares, the TM aborts, then the TM receives RM0's Prepared: nothing happens.
    [{ init: 0, actions: [2, 2, 0] }, 3, "action index 0 changes nothing"],
  ])("PathError at the failing step: %j", (actionPath, step, message) => {
    const model = build("two-phase-commit-3");
    let caught: unknown;
    try {
      followActionPath(model, actionPath);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(PathError);
    expect((caught as PathError).step).toBe(step);
    expect((caught as PathError).message).toBe(message);
  });

  it("rejects a path whose states the model does not reach", () => {
    // Two steps' worth of change in one step.
    const skipping = { init: buggy.path.init, steps: [{ ...buggy.path.steps[0], state: buggy.path.steps[1].state }] };
    expect(() => toActionPath(buggy.model, skipping)).toThrow(PathError);
  });
});
