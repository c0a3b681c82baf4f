/**
 * The statechart drawings against the machine definitions: every state and every transition of
 * every machine in machines/ is drawn (counted from xstate's own nodes, not from the chart the
 * drawings are made of), and a change to a machine changes its drawing.
 */

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type AnyStateMachine, type AnyStateNode, and, createMachine, fromPromise, not, stateIn } from "xstate";
import { chartOf, eventText, guardText } from "../report/chart.js";
import { discoverMachines } from "../report/machines.js";
import { dotOf, wrap } from "../report/dot.js";
import { mermaidOf } from "../report/mermaid.js";

const machines = await discoverMachines();

/** Every state node below the root, straight from xstate. */
function stateNodes(node: AnyStateNode): AnyStateNode[] {
  return Object.values(node.states as Record<string, AnyStateNode>).flatMap((child) => [child, ...stateNodes(child)]);
}

/** Every transition, as (event as the chart writes it, number of targets), straight from xstate. */
function transitions(machine: AnyStateMachine): { event: string; targets: number }[] {
  return [machine.root, ...stateNodes(machine.root)].flatMap((node) => [
    ...[...node.transitions].flatMap(([type, candidates]) =>
      candidates.map((t) => ({ event: eventText(type), targets: t.target?.length ?? 0 })),
    ),
    ...(node.always ?? []).map((t) => ({ event: "always", targets: t.target?.length ?? 0 })),
  ]);
}

/** What the Mermaid text draws: declared states (not the `X.*` boxes), and each transition's event. */
function drawnInMermaid(text: string): { states: string[]; events: string[] } {
  const lines = text.split("\n").map((line) => line.trim());
  const states = lines
    .map((line) => /^state "(.*)" as (\S+)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null && !m[2]?.endsWith("__own"))
    .map((m) => (m[1] as string).replace(/ \(history\)$/, ""));
  const edges = lines.flatMap((line) => /^\S+ --> \S+ : (\S+)/.exec(line)?.slice(1) ?? []);
  // A line inside a box that is not an action is a transition that stays.
  const inside = lines.flatMap((line) => /^\S+ : (\S+)/.exec(line)?.slice(1) ?? []);
  return { states, events: [...edges, ...inside.filter((word) => !["entry", "exit", "invoke"].includes(word))] };
}

/** Each transition is drawn once per target, or once inside its box when it has none (by the event's first word). */
const expectedEvents = (machine: AnyStateMachine) =>
  transitions(machine).flatMap(({ event, targets }) =>
    Array<string>(Math.max(1, targets)).fill(event.split(" ")[0] as string),
  );

const sorted = (items: readonly string[]) => [...items].sort();

/** A small machine with what the big ones have: regions, nesting, a final state, eventless and root transitions. */
function tinyMachine(change: "none" | "guard" | "target" | "state" = "none") {
  return createMachine({
    id: "tiny",
    type: "parallel",
    on: { Reset: { actions: "clear" } },
    states: {
      left: {
        initial: "idle",
        states: {
          idle: {
            on: {
              Go: {
                guard: change === "guard" ? and(["ready", not("busy")]) : "ready",
                target: change === "target" ? "done" : "working",
              },
            },
          },
          working: {
            entry: "start",
            initial: "first",
            states: {
              first: { always: { guard: stateIn({ right: "on" }), target: "second" } },
              second: {},
              ...(change === "state" ? { third: {} } : {}),
            },
            on: { Stop: { target: "#tiny.left.done", actions: ["stop", "report"] } },
          },
          done: { type: "final" },
        },
      },
      right: {
        initial: "off",
        states: { off: { on: { Flip: "on" } }, on: { on: { Flip: "off", Tick: { actions: "count" } } } },
      },
    },
  });
}

/** What the machines of machines/ do not use yet: delays, done events, history, invoked actors, inline guards. */
function extrasMachine() {
  return createMachine({
    id: "extras",
    initial: "waiting",
    states: {
      waiting: { after: { 1000: "working" }, on: { Skip: { guard: () => true, target: "working" } } },
      working: {
        initial: "step",
        states: { step: { on: { Next: "end" } }, end: { type: "final" }, back: { type: "history" } },
        onDone: "calling",
      },
      calling: {
        invoke: { id: "fetcher", src: fromPromise(async () => 1), onDone: "finished", onError: "working.back" },
      },
      finished: { type: "final" },
    },
  });
}

describe("every machine of machines/ is drawn whole", () => {
  it("finds the machines by looking at machines/", () => {
    const names = machines.map((entry) => entry.exportName);
    expect(names).toEqual(
      expect.arrayContaining(["storageNodeMachine", "writerMachine", "readerMachine", "chainMachine"]),
    );
    expect(new Set(machines.map((entry) => entry.name)).size).toBe(machines.length);
  });

  it("documents a re-exported machine once, under the file that declares it", async () => {
    // Inside the package, so that the modules resolve xstate as the machines do.
    const scratch = join(import.meta.dirname, "..", "tmp");
    mkdirSync(scratch, { recursive: true });
    const directory = mkdtempSync(join(scratch, "docs-discovery-"));
    try {
      const machine = (id: string) => `import { createMachine } from "xstate";
export const zetaMachine = createMachine({ id: "${id}", initial: "a", states: { a: {} } });\n`;
      writeFileSync(join(directory, "zeta.ts"), machine("zeta"));
      writeFileSync(
        join(directory, "index.ts"),
        'export { zetaMachine } from "./zeta.js";\nexport const notAMachine = 1;\n',
      );
      writeFileSync(join(directory, "other.ts"), machine("other"));
      const found = await discoverMachines(directory);
      expect(found.map((e) => [e.name, e.exportName, e.source, e.machine.id])).toEqual([
        ["other-zeta", "zetaMachine", "machines/other.ts", "other"],
        ["zeta-zeta", "zetaMachine", "machines/zeta.ts", "zeta"],
      ]);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  const extras = [
    { name: "tiny", machine: tinyMachine() },
    { name: "extras", machine: extrasMachine() },
  ];
  for (const entry of [...machines, ...extras]) {
    it(`${entry.name}: every state and transition is in the Mermaid chart and the Graphviz graph`, () => {
      const { machine } = entry;
      const chart = chartOf(machine);
      const nodes = stateNodes(machine.root);
      const mermaid = mermaidOf(chart);
      const drawn = drawnInMermaid(mermaid);
      // A parallel root is drawn as a composite of its own; a compound root is the whole picture.
      const expectedStates = [
        ...(machine.root.type === "parallel" ? [machine.root.key] : []),
        ...nodes.map((n) => n.key),
      ];
      expect(sorted(drawn.states)).toEqual(sorted(expectedStates));
      expect(sorted(drawn.events)).toEqual(sorted(expectedEvents(machine)));
      // xstate's own raising of a delayed event (`after`) is not an entry action of the chart.
      const ownAction = (action: unknown) => !String((action as { id?: unknown }).id ?? "").startsWith("xstate.after.");
      const withEntry = [machine.root, ...nodes].filter((node) => node.entry.some(ownAction));
      expect(mermaid.match(/ : entry \/ /g) ?? []).toHaveLength(withEntry.length);
      // Graphviz: a box per leaf, a cluster per composite, an edge per target (besides the start dots').
      const dot = dotOf(chart);
      for (const node of nodes) {
        const leaf = Object.keys(node.states).length === 0;
        expect(dot).toContain(leaf ? `"${node.id}" [label=` : `subgraph "cluster_${node.id}"`);
      }
      const edges = dot.split("\n").filter((line) => /^ {2}".*" -> ".*" \[label=/.test(line));
      expect(edges).toHaveLength(transitions(machine).reduce((sum, t) => sum + t.targets, 0));
    });
  }
});

describe("the drawing follows the machine", () => {
  const drawings = (change: Parameters<typeof tinyMachine>[0]) => {
    const chart = chartOf(tinyMachine(change));
    return { mermaid: mermaidOf(chart), dot: dotOf(chart) };
  };
  const original = drawings("none");

  it("is the same for the same machine", () => {
    expect(drawings("none")).toEqual(original);
  });

  it("shows a changed guard, target or state", () => {
    const guard = drawings("guard");
    expect(guard.mermaid).not.toBe(original.mermaid);
    expect(guard.mermaid).toContain("left__idle --> left__working : Go [ready and not busy]");
    expect(guard.dot).not.toBe(original.dot);

    const target = drawings("target");
    expect(target.mermaid).toContain("left__idle --> left__done : Go [ready]");
    expect(target.mermaid).not.toContain("left__idle --> left__working");

    const state = drawings("state");
    expect(state.mermaid).toContain('state "third" as left__working__third');
    expect(state.dot).toContain('"tiny.left.working.third" [label=');
  });

  it("writes starts, finals, eventless and root transitions the way the legend says", () => {
    const { mermaid } = original;
    expect(mermaid).toContain("[*] --> left__idle");
    expect(mermaid).toContain("left__done --> [*]");
    expect(mermaid).toContain("left__working__first --> left__working__second : always [in right.on]");
    expect(mermaid).toContain('state "tiny.*" as tiny__own');
    expect(mermaid).toContain("tiny__own : Reset / clear");
    expect(mermaid).toContain("left__working__own : entry / start");
    expect(mermaid).toContain("left__working__own --> left__done : Stop / stop, report");
    expect(mermaid).toContain("right__on : Tick / count");
  });

  it("names delays, done events and invoked actors' results", () => {
    const mermaid = mermaidOf(chartOf(extrasMachine()));
    expect(mermaid).toContain("waiting --> working : after 1000");
    expect(mermaid).toContain("waiting --> working : Skip [(inline guard)]");
    expect(mermaid).toContain("working__own --> calling : onDone");
    expect(mermaid).toContain("calling --> finished : done.fetcher");
    expect(mermaid).toContain("calling --> working__back : error.fetcher");
    expect(mermaid).toContain('state "back (history)" as working__back');
    expect(mermaid).toContain("calling : invoke / fetcher");
    expect(mermaid).not.toMatch(/raise|cancel/);
  });
});

describe("labels", () => {
  it("names guards as the machine combines them", () => {
    expect(guardText(and(["a", not("b"), stateIn({ chain: "certified" })]))).toBe("a and not b and in chain.certified");
    expect(guardText({ type: "named" })).toBe("named");
    expect(guardText(() => true)).toBe("(inline guard)");
  });

  it("wraps long labels where they break, never inside a name", () => {
    expect(wrap("[forThisBlob and metadataMatchesBlobId and not blobRegistered] / holdUpload", 30)).toEqual([
      "[forThisBlob",
      "and metadataMatchesBlobId",
      "and not blobRegistered]",
      "/ holdUpload",
    ]);
    expect(wrap("averyveryverylongguardnamethatdoesnotfit", 10)).toEqual(["averyveryverylongguardnamethatdoesnotfit"]);
  });
});
