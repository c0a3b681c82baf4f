/**
 * Past RAM, and resumable: a breadth-first queue that spills to disk gives the search it would
 * give in memory; a search stopped at any point and resumed from its checkpoint, in a freshly built
 * model, ends with the report of the uninterrupted search (counts, depth, verdicts, every
 * counterexample and witness, which replay from the initial state), for a plain model and for
 * xstate actor models whose ids the resume must make again; and a checkpoint that is missing,
 * damaged, of another model, of other options, of an unknown format, or of a model that changed
 * is refused with the typed error that says which.
 */

import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { assign, setup } from "xstate";
import { ActorModel } from "../checker/actors.js";
import { MANIFEST, readCheckpoint, writeCheckpoint } from "../checker/checkpoint.js";
import { CheckpointError, type CheckpointProblem } from "../checker/errors.js";
import { Frontier } from "../checker/frontier.js";
import type { Model } from "../checker/model.js";
import { checkModelParallel } from "../checker/parallel.js";
import { followActionPath, toActionPath } from "../checker/path.js";
import { type SearchOptions, type SearchReport, checkModel } from "../checker/search.js";
import { twoPhaseCommit } from "../models/examples/two-phase-commit.js";
import { findModel } from "../models/index.js";
import { echoModel } from "./support/echo-model.js";

const work = mkdtempSync(join(tmpdir(), "walrus-spec-checkpoint-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let dirs = 0;
const freshDir = () => join(work, `c${dirs++}`);

type AnyModel = Model<unknown, unknown>;
const catalogue = (name: string) => () => (findModel(name) as NonNullable<ReturnType<typeof findModel>>).build();

/** The report as JSON, without what differs between a stopped-and-resumed search and a whole one. */
const comparable = (report: SearchReport<unknown, unknown>) => JSON.stringify(report);

/**
 * The model, counting the steps it computes: `stopAfter` asks a search to stop once it has taken
 * that many (looked at when the search looks at its clock).
 */
function counted(model: AnyModel): { model: AnyModel; stopAfter: (steps: number) => () => boolean } {
  let steps = 0;
  const wrapped = Object.create(model) as AnyModel;
  wrapped.nextState = (state, action) => {
    steps++;
    return model.nextState(state, action);
  };
  const transient = model.transient;
  if (transient !== undefined) {
    // The search's successors go through the scratch words where the model has them.
    Object.defineProperty(wrapped, "transient", {
      value: {
        next: (state: unknown, action: unknown) => {
          steps++;
          return transient.next(state, action);
        },
        keep: transient.keep,
      },
    });
  }
  return { model: wrapped, stopAfter: (limit) => () => steps > limit };
}

/**
 * Runs the search stopped at each fraction of its steps and resumed (in a new model each time,
 * as a new process would), and expects each to end with the whole search's report; returns how
 * many it stopped.
 */
function expectResumesToMatch(
  build: () => AnyModel,
  fractions: readonly number[],
  options: SearchOptions = {},
): number {
  const whole = checkModel(build(), options);
  let stopped = 0;
  for (const fraction of fractions) {
    const dir = freshDir();
    const first = counted(build());
    const limit = Math.floor(whole.generatedStates * fraction);
    const part = checkModel(first.model, { ...options, checkpoint: dir, interrupt: first.stopAfter(limit) });
    if (part.stoppedBy !== "interrupted") continue;
    stopped++;
    expect(part.uniqueStates).toBeLessThan(whole.uniqueStates);
    // Resumed twice over: stopped again part of the way, then to the end.
    const second = counted(build());
    const again = checkModel(second.model, {
      ...options,
      resume: dir,
      checkpoint: dir,
      interrupt: second.stopAfter((whole.generatedStates - part.generatedStates) / 3),
    });
    const last = checkModel(build(), { ...options, resume: dir, checkpoint: dir });
    expect(again.stoppedBy === "interrupted" || again.complete).toBe(true);
    expect(comparable(last)).toBe(comparable(whole));
  }
  return stopped;
}

describe("a breadth-first queue that spills to disk", () => {
  it("gives back every state in the order it was pushed, from memory, the files and the block being filled", () => {
    const words = {
      length: (state: number[]) => state.length,
      encode: (state: number[], out: Int32Array, at: number) => out.set(state, at),
      decode: (words: Int32Array, at: number, length: number) => Array.from(words.subarray(at, at + length)),
    };
    const frontier = new Frontier<number[], never>({ words, above: 3, dir: work });
    const taken: number[][] = [];
    const entries: number[] = [];
    let pushed = 0;
    const push = (count: number) => {
      for (let k = 0; k < count; k++, pushed++) {
        // States of different lengths, entries past 2³².
        frontier.push(
          Array.from({ length: 1 + (pushed % 5) }, (_, i) => pushed * 10 + i),
          undefined,
          pushed,
          2 ** 33 + pushed,
        );
      }
    };
    const take = (count: number) => {
      for (let k = 0; k < count; k++) {
        frontier.take(true);
        taken.push(frontier.state as number[]);
        entries.push(frontier.entry);
      }
    };
    push(400);
    expect(frontier.size).toBe(400);
    expect(frontier.spilled).toBe(397);
    expect(readdirSync(work).some((name) => name.startsWith("walrus-spec-spill-"))).toBe(true);
    take(150);
    push(300);
    take(frontier.size);
    frontier.close();
    expect(taken).toHaveLength(700);
    taken.forEach((state, k) => {
      expect(state).toEqual(Array.from({ length: 1 + (k % 5) }, (_, i) => k * 10 + i));
    });
    expect(entries).toEqual(Array.from({ length: 700 }, (_, k) => 2 ** 33 + k));
    expect(readdirSync(work).some((name) => name.startsWith("walrus-spec-spill-"))).toBe(false);
  });

  it.each([
    ["plain two-phase commit, 6 RMs", () => twoPhaseCommit(6) as AnyModel],
    ["xstate actors: write-4", catalogue("write-4")],
  ])("%s: a queue of 5 states in memory explores what one kept in memory does", (_, build) => {
    const inMemory = checkModel(build(), { spillAbove: false });
    const spillDir = freshDir();
    mkdirSync(spillDir);
    let spilled = false;
    const spilling = checkModel(build(), {
      spillAbove: 5,
      spillDir,
      // Looked at as often as the clock: whether the queue is on disk at that moment.
      interrupt: () => {
        spilled ||= readdirSync(spillDir).length > 0;
        return false;
      },
    });
    expect(spilled).toBe(true);
    expect(comparable(spilling)).toBe(comparable(inMemory));
    expect(inMemory.complete).toBe(true);
    expect(readdirSync(spillDir)).toEqual([]);
  });
});

describe("a search stopped and resumed from its checkpoint", () => {
  it("plain two-phase commit (6 RMs): the report of the uninterrupted search, from any point", () => {
    expect(expectResumesToMatch(() => twoPhaseCommit(6) as AnyModel, [0.02, 0.4, 0.95])).toBe(3);
  }, 60_000);

  it("plain two-phase commit, its queue spilling: the same", () => {
    expect(
      expectResumesToMatch(() => twoPhaseCommit(5) as AnyModel, [0.3, 0.8], { spillAbove: 10, spillDir: work }),
    ).toBe(2);
  }, 60_000);

  it("xstate actors, write-4 (partial-order reduction: its decisions made again alike)", () => {
    expect(expectResumesToMatch(catalogue("write-4"), [0.01, 0.6])).toBe(2);
  }, 120_000);

  it("xstate actors with symmetry (renamed local states and messages journaled): two-phase-commit-7-symmetric", () => {
    expect(expectResumesToMatch(catalogue("two-phase-commit-7-symmetric"), [0.6])).toBe(1);
  }, 120_000);

  it("xstate actors with a Byzantine menu computed from the state (its new messages journaled)", () => {
    expect(expectResumesToMatch(() => echoModel() as unknown as AnyModel, [0.2, 0.6])).toBe(2);
  }, 60_000);

  it("xstate actors, write-4 and a depth bound", () => {
    expect(expectResumesToMatch(catalogue("write-4"), [0.4], { maxDepth: 12 })).toBe(1);
  }, 120_000);

  it("a model whose steps can close a cycle: stopped in its search without the cycle proviso or in the one with it", () => {
    const whole = checkModel(cyclicModel());
    expect(whole.reduction).toEqual({ partialOrder: true, symmetry: false, cycleProviso: true });
    // The model's steps are counted over both searches: stopped early in the first, late in the second.
    const fractions = [0.2, 0.6, 1.5];
    const stoppedIn = fractions.map((fraction) => {
      const first = counted(cyclicModel());
      const limit = Math.floor(whole.generatedStates * fraction);
      const part = checkModel(first.model, { checkpoint: freshDir(), interrupt: first.stopAfter(limit) });
      return part.stoppedBy === "interrupted" ? (part.reduction.cycleProviso ? "with" : "without") : "end";
    });
    expect(stoppedIn).toEqual(["without", "without", "with"]);
    expect(expectResumesToMatch(cyclicModel, fractions)).toBe(3);
  }, 60_000);

  it("a violation found before the stop is still reported after the resume, with a counterexample that replays", () => {
    const build = () => twoPhaseCommit(4, { commitEarly: true }) as AnyModel;
    const whole = checkModel(build());
    const violated = (report: SearchReport<unknown, unknown>) => {
      const result = report.properties.find((p) => p.kind === "always" && !p.holds);
      return result?.kind === "always" && !result.holds ? result : undefined;
    };
    const expected = violated(whole);
    expect(expected).toBeDefined();
    const dir = freshDir();
    const first = counted(build());
    const part = checkModel(first.model, {
      checkpoint: dir,
      interrupt: first.stopAfter(whole.generatedStates * 0.6),
    });
    expect(part.stoppedBy).toBe("interrupted");
    expect(violated(part)).toBeDefined();
    const resumed = checkModel(build(), { resume: dir });
    const found = violated(resumed);
    expect(found?.counterexample).toEqual(expected?.counterexample);
    // Replayed in a model that has never searched: the same states, ending in the violation.
    const fresh = build();
    const replayed = followActionPath(fresh, toActionPath(fresh, found?.counterexample as never));
    expect(replayed).toEqual(found?.counterexample);
    const property = fresh.properties.find((p) => p.id === found?.id);
    expect(property?.holds(replayed.steps.at(-1)?.state)).toBe(false);
    expect(comparable(resumed)).toBe(comparable(whole));
  }, 60_000);

  it("an actor model rebuilt from a checkpoint holds exactly the tables it was stopped with", () => {
    // The journal of ids and computed transitions, and what partial-order reduction has decided
    // and counted: saved again after the resume, they are the same bytes.
    const build = catalogue("write-4");
    const dir = freshDir();
    const first = counted(build());
    checkModel(first.model, { checkpoint: dir, interrupt: first.stopAfter(8_000) });
    const name = readdirSync(dir).find((file) => file.startsWith("model.")) as string;
    const saved = readFileSync(join(dir, name));
    expect(saved.length).toBeGreaterThan(1000);
    const fresh = build();
    let at = 0;
    fresh.inProcess?.restore({
      read: (into) => {
        const bytes = new Uint8Array(into.buffer, into.byteOffset, into.byteLength);
        bytes.set(saved.subarray(at, at + bytes.length));
        at += bytes.length;
      },
    });
    expect(at).toBe(saved.length);
    const again: Buffer[] = [];
    fresh.inProcess?.save({ write: (view) => again.push(Buffer.from(view.buffer, view.byteOffset, view.byteLength)) });
    expect(Buffer.concat(again).equals(saved)).toBe(true);
  });

  it("the same in an actor model whose expected failures were found before the stop (write-4-f-plus-1)", () => {
    const build = catalogue("write-4-f-plus-1");
    const whole = checkModel(build());
    const dir = freshDir();
    // Stopped at the first look after an always property fails: wherever the search order puts it.
    const first = build();
    let failed = false;
    const watched = Object.create(first) as AnyModel;
    Object.defineProperty(watched, "properties", {
      value: first.properties.map((property) =>
        property.kind !== "always"
          ? property
          : {
              ...property,
              holds: (state: unknown) => {
                const holds = property.holds(state);
                if (!holds) failed = true;
                return holds;
              },
            },
      ),
    });
    const part = checkModel(watched, { checkpoint: dir, interrupt: () => failed });
    expect(part.stoppedBy).toBe("interrupted");
    expect(part.generatedStates).toBeLessThan(whole.generatedStates);
    const broken = part.properties.filter((p) => p.kind === "always" && !p.holds).map((p) => p.id);
    expect(broken.length).toBeGreaterThan(0);
    const model = build();
    const resumed = checkModel(model, { resume: dir });
    expect(comparable(resumed)).toBe(comparable(whole));
    for (const result of resumed.properties) {
      if (result.kind !== "always" || result.holds) continue;
      // The states are ids of the resumed model: replayed by their actions in a fresh model, they
      // describe the same system states.
      const fresh = build();
      const replayed = followActionPath(fresh, toActionPath(model, result.counterexample));
      const described = (m: AnyModel, path: typeof replayed) => path.steps.map((step) => m.describe?.(step.state));
      expect(described(fresh, replayed)).toEqual(described(model, result.counterexample));
      const property = fresh.properties.find((p) => p.id === result.id);
      expect(property?.holds(replayed.steps.at(-1)?.state)).toBe(false);
    }
  }, 120_000);
});

/** What resuming from `dir` throws, as its problem. */
function problemOf(build: () => AnyModel, dir: string, options: SearchOptions = {}): CheckpointProblem | string {
  try {
    checkModel(build(), { ...options, resume: dir });
  } catch (error) {
    if (error instanceof CheckpointError) return error.problem;
    return `not a CheckpointError: ${(error as Error).message}`;
  }
  return "resumed";
}

/** A checkpoint of two-phase commit (4 RMs) stopped half way. */
function stoppedCheckpoint(build: () => AnyModel = () => twoPhaseCommit(4) as AnyModel): string {
  const dir = freshDir();
  const first = counted(build());
  const report = checkModel(first.model, { checkpoint: dir, interrupt: first.stopAfter(100) });
  expect(report.stoppedBy).toBe("interrupted");
  return dir;
}

describe("a checkpoint that cannot be resumed is refused with a typed error", () => {
  const plain = () => twoPhaseCommit(4) as AnyModel;

  it("missing: no checkpoint in the directory, or a part's file gone", () => {
    expect(problemOf(plain, join(work, "nowhere"))).toBe("missing");
    const dir = stoppedCheckpoint();
    const trail = readdirSync(dir).find((name) => name.startsWith("trail.")) as string;
    rmSync(join(dir, trail));
    expect(problemOf(plain, dir)).toBe("missing");
  });

  it("corrupt: a part cut short, a byte changed, a manifest that is not one", () => {
    const cut = stoppedCheckpoint();
    const visited = join(cut, readdirSync(cut).find((name) => name.startsWith("visited.")) as string);
    truncateSync(visited, 100);
    expect(problemOf(plain, cut)).toBe("corrupt");
    const flipped = stoppedCheckpoint();
    const queue = join(flipped, readdirSync(flipped).find((name) => name.startsWith("queue.")) as string);
    const bytes = readFileSync(queue);
    bytes[bytes.length >> 1] ^= 1;
    writeFileSync(queue, bytes);
    expect(problemOf(plain, flipped)).toBe("corrupt");
    const garbled = stoppedCheckpoint();
    writeFileSync(join(garbled, MANIFEST), readFileSync(join(garbled, MANIFEST), "utf8").slice(0, 200));
    expect(problemOf(plain, garbled)).toBe("corrupt");
  });

  it("version: a format this version does not know", () => {
    const dir = stoppedCheckpoint();
    const manifest = JSON.parse(readFileSync(join(dir, MANIFEST), "utf8"));
    writeFileSync(join(dir, MANIFEST), JSON.stringify({ ...manifest, formatVersion: 99 }));
    expect(problemOf(plain, dir)).toBe("version");
  });

  it("other-model and other-options: another model, another reduction or depth bound", () => {
    const dir = stoppedCheckpoint();
    expect(problemOf(() => twoPhaseCommit(5) as AnyModel, dir)).toBe("other-model");
    expect(problemOf(plain, dir, { reduction: false })).toBe("other-options");
    expect(problemOf(plain, dir, { maxDepth: 5 })).toBe("other-options");
    expect(problemOf(plain, dir)).toBe("resumed");
  });

  it("unsupported: a depth-first or parallel search, a model whose states are not words", async () => {
    const dir = stoppedCheckpoint();
    expect(problemOf(plain, dir, { strategy: "dfs" })).toBe("unsupported");
    const parallel = checkModelParallel(
      plain(),
      { module: "unused", name: "unused" },
      {
        workers: 2,
        ...({ resume: dir } as object),
      },
    );
    await expect(parallel).rejects.toMatchObject({ problem: "unsupported" });
    const opaque = () => {
      const { portable: _, ...rest } = twoPhaseCommit(4);
      return rest as AnyModel;
    };
    expect(problemOf(opaque, dir)).toBe("unsupported");
  });

  it("model-changed: an actor model of the same name whose machine now steps otherwise", () => {
    const dir = freshDir();
    const first = counted(counterModel(6));
    const report = checkModel(first.model, { checkpoint: dir, interrupt: first.stopAfter(1) });
    expect(report.stoppedBy).toBe("interrupted");
    // Stopped after the ticks from 0 and 1, and the counter that stops at 1 no longer takes the second.
    expect(report.uniqueStates).toBeGreaterThanOrEqual(3);
    expect(problemOf(() => counterModel(6), dir)).toBe("resumed");
    expect(problemOf(() => counterModel(1), dir)).toBe("model-changed");
  });

  it("a checkpoint whose writing dies half way leaves the one before it whole", () => {
    const dir = stoppedCheckpoint();
    const before = readFileSync(join(dir, MANIFEST), "utf8");
    const manifest = readCheckpoint(dir, "two-phase-commit(4)", {
      strategy: "bfs",
      reduction: true,
      maxDepth: null,
    }).manifest;
    expect(() =>
      writeCheckpoint(dir, {
        model: manifest.model,
        search: manifest.search,
        reason: "periodic",
        position: manifest.position,
        parts: {
          visited: (sink) => sink.write(new Int32Array(8)),
          nextLevel: () => {},
          trail: () => {},
          queue: () => {
            throw new Error("killed");
          },
          model: () => {},
        },
      }),
    ).toThrow("killed");
    expect(readFileSync(join(dir, MANIFEST), "utf8")).toBe(before);
    expect(problemOf(plain, dir)).toBe("resumed");
  });
});

/** The counter model: one actor ticking up to `limit` (the same initial state whatever the limit). */
function counterModel(limit: number): AnyModel {
  const machine = setup({
    types: { context: {} as { n: number } },
    guards: { belowLimit: ({ context }) => context.n < limit },
    actions: { tick: assign({ n: ({ context }) => context.n + 1 }) },
  }).createMachine({
    context: { n: 0 },
    on: { Tick: { guard: "belowLimit", actions: "tick" } },
  });
  return new ActorModel({
    name: "counter",
    actors: [{ name: "C", machine, internalEvents: [{ type: "Tick" }] }],
    properties: [
      { id: "small", name: "small", kind: "always", reads: ["C"], holds: (view) => view.actors[0].context.n < 100 },
    ],
  }) as unknown as AnyModel;
}

/**
 * A toggle T that flips between two states on its own (a cycle of local states) beside two counters
 * C and D that count to 6: partial-order reduction applies, and the search is made again with the
 * cycle proviso.
 */
function cyclicModel(): AnyModel {
  const toggle = setup({ types: { events: {} as { type: "flip" } } }).createMachine({
    initial: "off",
    states: { off: { on: { flip: "on" } }, on: { on: { flip: "off" } } },
  });
  const counter = setup({
    types: { context: {} as { n: number }, events: {} as { type: "tick" } },
    guards: { below: ({ context }) => context.n < 6 },
    actions: { tick: assign({ n: ({ context }) => context.n + 1 }) },
  }).createMachine({ context: { n: 0 }, on: { tick: { guard: "below", actions: "tick" } } });
  return new ActorModel({
    name: "cyclic",
    actors: [
      { name: "T", machine: toggle, internalEvents: [{ type: "flip" }] },
      { name: "C", machine: counter, internalEvents: [{ type: "tick" }] },
      { name: "D", machine: counter, internalEvents: [{ type: "tick" }] },
    ],
    properties: [
      {
        id: "bounded",
        name: "bounded",
        kind: "always",
        holds: (view) => (view.actors[1].context as { n: number }).n <= 6,
      },
    ],
  }) as unknown as AnyModel;
}
