/**
 * A chart as a Mermaid `stateDiagram-v2`, the drawing GitHub renders in a Markdown page.
 *
 * Mermaid places a state in the composite where its id is mentioned last. Edges that cross a
 * composite's border are therefore written first, before any state is declared, and every state's
 * declaration then puts it where it belongs; edges inside one composite follow its states.
 */

import {
  type Chart,
  type ChartState,
  hasOwnBox,
  internalLines,
  isLeaf,
  ownBoxLabel,
  stateLabel,
  statesOf,
  transitionLabel,
} from "./chart.js";

/** Words of Mermaid's state-diagram grammar, which cannot be ids. */
const RESERVED = new Set(["end", "state", "note", "direction", "class", "classDef", "style", "as", "click", "default"]);

/** Mermaid ids from the state paths, so that a change to one state changes only its lines. */
function mermaidIds(chart: Chart): Map<string, string> {
  const ids = new Map<string, string>();
  const used = new Set<string>();
  for (const state of statesOf(chart)) {
    let id = (state.path.length === 0 ? [state.key] : state.path).join("__").replace(/[^\w]/g, "_");
    if (RESERVED.has(id)) id = `${id}_`;
    while (used.has(id)) id = `${id}_`;
    used.add(id);
    ids.set(state.id, id);
  }
  return ids;
}

/** Text Mermaid reads as syntax (`;` ends a statement, `#` starts an entity, `:` a label), as entities. */
function escapeText(text: string): string {
  return text.replace(/[#;:"]/g, (c) => `#${c.charCodeAt(0)};`);
}

/** The chart as a Mermaid `stateDiagram-v2`. */
export function mermaidOf(chart: Chart): string {
  const ids = mermaidIds(chart);
  const ownId = (state: ChartState) => `${ids.get(state.id)}__own`;
  const byId = new Map(statesOf(chart).map((state) => [state.id, state]));
  const parentOf = new Map<string, ChartState>();
  for (const state of byId.values()) for (const child of state.children) parentOf.set(child.id, state);

  // Where each edge is written: inside the composite that holds both ends, or first of all.
  const crossing: string[] = [];
  const inside = new Map<string, string[]>();
  for (const transition of chart.transitions) {
    const source = byId.get(transition.source) as ChartState;
    // A composite's own box sits inside it; a leaf sits in its parent.
    const sourceScope = isLeaf(source) ? parentOf.get(source.id) : source;
    const from = isLeaf(source) ? (ids.get(source.id) as string) : ownId(source);
    for (const target of transition.targets) {
      const edge = `${from} --> ${ids.get(target)} : ${escapeText(transitionLabel(transition))}`;
      const targetScope = parentOf.get(target);
      if (sourceScope !== undefined && sourceScope === targetScope && sourceScope.kind !== "parallel") {
        inside.set(sourceScope.id, [...(inside.get(sourceScope.id) ?? []), edge]);
      } else {
        crossing.push(edge);
      }
    }
  }

  const declare = (id: string, label: string, lines: readonly string[], indent: string): string[] => [
    `${indent}state "${escapeText(label)}" as ${id}`,
    ...lines.map((line) => `${indent}${id} : ${escapeText(line)}`),
  ];

  /** The statements inside a composite state (or at the top for a compound root). */
  const contents = (state: ChartState, indent: string): string[] => {
    const own = hasOwnBox(chart, state)
      ? declare(ownId(state), ownBoxLabel(state), internalLines(chart, state), indent)
      : [];
    if (state.kind === "parallel") {
      // One concurrent region per child; the parallel state's own box, if any, in a region before them.
      const regions = [...(own.length > 0 ? [own] : []), ...state.children.map((child) => stateLines(child, indent))];
      return regions.flatMap((region, i) => (i === 0 ? region : [`${indent}--`, ...region]));
    }
    const initial = state.initial === null ? [] : [`${indent}[*] --> ${ids.get(state.initial)}`];
    const finals = state.children
      .filter((child) => child.kind === "final")
      .map((child) => `${indent}${ids.get(child.id)} --> [*]`);
    return [
      ...initial,
      ...own,
      ...state.children.flatMap((child) => stateLines(child, indent)),
      ...finals,
      ...(inside.get(state.id) ?? []).map((edge) => `${indent}${edge}`),
    ];
  };

  const stateLines = (state: ChartState, indent: string): string[] => {
    const id = ids.get(state.id) as string;
    if (isLeaf(state)) return declare(id, stateLabel(state), internalLines(chart, state), indent);
    return [
      `${indent}state "${escapeText(state.key)}" as ${id}`,
      `${indent}state ${id} {`,
      ...contents(state, `${indent}  `),
      `${indent}}`,
    ];
  };

  // A parallel root is drawn as one composite: Mermaid separates regions only inside one.
  const body = chart.root.kind === "parallel" ? stateLines(chart.root, "  ") : contents(chart.root, "  ");
  return ["stateDiagram-v2", ...crossing.map((edge) => `  ${edge}`), ...body].join("\n");
}
