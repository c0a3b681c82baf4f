/**
 * A chart as a Graphviz graph, for the SVGs of an audit report: a cluster per composite state (so
 * each region of a parallel state is a cluster of its own), a box per leaf state with its entry
 * actions and the transitions that stay in it written inside, eventless transitions dashed, and
 * long labels wrapped where they break naturally (before `and`, `or`, `/`).
 */

import {
  type Chart,
  type ChartState,
  type ChartTransition,
  hasOwnBox,
  internalLines,
  isLeaf,
  ownBoxLabel,
  stateLabel,
  statesOf,
} from "./chart.js";

/** Fonts every SVG viewer has in some form, with metrics Graphviz knows, so that text fits its box. */
const FONT = "Helvetica";
/** Columns after which a label is wrapped: inside boxes, and on edges (narrower, between ranks). */
const BOX_COLUMNS = 52;
const EDGE_COLUMNS = 30;

/**
 * Colours that tell neighbouring edges apart (and say nothing else): an edge and its label share
 * one, so a label is found on its edge where several run side by side.
 */
const EDGE_COLORS = ["#2f4b8a", "#8a3b2f", "#2f7a4b", "#6b3f8a", "#8a6a1f", "#1f6f7a"];

const COLORS = {
  line: "#3b4a6b",
  leaf: "#eef2fa",
  own: "#fbf8ec",
  cluster: "#fafbfd",
  text: "#1d2433",
  edgeText: "#26324d",
  label: "#ffffffcc",
};

function html(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

const quoted = (id: string) => `"${id.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;

/**
 * Splits a label into lines of at most `columns` where it can: before ` and `, ` or ` and ` / `,
 * and after `, ` and `[`; a part longer than a line stays whole rather than break a name.
 */
export function wrap(text: string, columns: number): string[] {
  const parts = text.split(/(?= (?:and|or|\/) )|(?<=, )|(?<=\[)/);
  const lines: string[] = [];
  let line = "";
  for (const part of parts) {
    if (line !== "" && line.length + part.length > columns) {
      lines.push(line.trimEnd());
      line = part.trimStart();
    } else {
      line += part;
    }
  }
  if (line !== "") lines.push(line.trimEnd());
  return lines;
}

/** Lines as one HTML-label cell: left-aligned, continuation lines indented. */
function linesCell(text: string, columns: number): string {
  return wrap(text, columns)
    .map((line, i) => `${i === 0 ? "" : "   "}${html(line)}<br align="left"/>`)
    .join("");
}

/** A state's box: its name, and under a rule what happens inside it. */
function boxLabel(title: string, lines: readonly string[], italic: boolean): string {
  const head = italic ? `<i>${html(title)}</i>` : `<b>${html(title)}</b>`;
  const rows = lines.map((line) => `<tr><td align="left" balign="left">${linesCell(line, BOX_COLUMNS)}</td></tr>`);
  const body = rows.length === 0 ? "" : `<hr/>${rows.join("")}`;
  return `<<table border="0" cellborder="0" cellspacing="0" cellpadding="3"><tr><td>${head}</td></tr>${body}</table>>`;
}

function edgeLabel(transition: ChartTransition, color: string): string {
  const event = transition.event === null ? "<i>always</i>" : `<b>${html(transition.event)}</b>`;
  const rest = [
    ...(transition.guard === null ? [] : [`[${transition.guard}]`]),
    ...(transition.actions.length === 0 ? [] : [`/ ${transition.actions.join(", ")}`]),
  ];
  const lines = rest.flatMap((part) => wrap(part, EDGE_COLUMNS)).map((line) => `${html(line)}<br/>`);
  // The cell's padding keeps the text off the lines and borders around it, its fill hides edges behind it.
  return `<<table border="0" cellborder="0" cellpadding="3" bgcolor="${COLORS.label}"><tr><td><font color="${color}">${event}<br/>${lines.join("")}</font></td></tr></table>>`;
}

/** How Graphviz lays a chart out (report/layout.ts tries several). */
export interface DotOptions {
  /** `TB` (top to bottom, the default) or `LR`. */
  readonly direction?: "TB" | "LR";
  /** Inches between neighbouring states of a rank (Graphviz's `nodesep`). */
  readonly nodesep?: number;
  /** Inches between ranks (Graphviz's `ranksep`): room for the labels of the edges between them. */
  readonly ranksep?: number;
}

/** The chart as a Graphviz graph (DOT). */
export function dotOf(chart: Chart, options: DotOptions = {}): string {
  const states = statesOf(chart);
  const byId = new Map(states.map((state) => [state.id, state]));
  const clusterOf = (state: ChartState) => `cluster_${state.id}`;
  const initialOf = (state: ChartState) => `${state.id}#initial`;
  const ownOf = (state: ChartState) => `${state.id}#own`;
  const isWithin = (inner: ChartState, outer: ChartState) =>
    inner.id === outer.id || inner.id.startsWith(`${outer.id}.`);

  /**
   * The node an edge into `state` ends at, and the cluster whose border it stops at. An edge into a
   * compound state goes on to the dot it starts from: stopped at the border, Graphviz would still
   * set its label halfway to the dot, inside the cluster and away from the drawn line.
   */
  const entryPoint = (state: ChartState): { node: string; cluster: ChartState | null } => {
    if (isLeaf(state)) return { node: state.id, cluster: null };
    if (state.kind === "compound") return { node: initialOf(state), cluster: null };
    // A parallel state: every region starts, so the arrow stops at the border (the root has none).
    const cluster = state.path.length === 0 ? null : state;
    return { node: entryPoint(state.children[0] as ChartState).node, cluster };
  };

  const title = chart.root.kind === "parallel" ? `${chart.id} (parallel regions)` : chart.id;
  const lines: string[] = [
    `digraph ${quoted(chart.id)} {`,
    `  graph [label=<<b>${html(title)}</b>>, labelloc=t, labeljust=l, fontsize=17, rankdir=${options.direction ?? "TB"}, compound=true, newrank=true, nodesep=${options.nodesep ?? 0.45}, ranksep=${options.ranksep ?? 0.4}, pad=0.3, fontname="${FONT}", fontcolor="${COLORS.text}", bgcolor="white"];`,
    `  node [shape=box, style="rounded,filled", fillcolor="${COLORS.leaf}", color="${COLORS.line}", fontname="${FONT}", fontsize=13, fontcolor="${COLORS.text}", margin="0.12,0.06"];`,
    `  edge [decorate=true, color="${COLORS.line}", fontname="${FONT}", fontsize=12, fontcolor="${COLORS.edgeText}", arrowsize=0.8];`,
  ];

  const emit = (state: ChartState, indent: string) => {
    if (isLeaf(state)) {
      const final = state.kind === "final" ? ", peripheries=2" : "";
      lines.push(
        `${indent}${quoted(state.id)} [label=${boxLabel(stateLabel(state), internalLines(chart, state), false)}${final}];`,
      );
      return;
    }
    // The root is the whole picture, titled: a frame around everything would only narrow the layout.
    const isRoot = state.path.length === 0;
    const parallel = state.kind === "parallel";
    const inner = isRoot ? indent : `${indent}  `;
    if (!isRoot) {
      lines.push(`${indent}subgraph ${quoted(clusterOf(state))} {`);
      lines.push(
        `${inner}label=<<b>${html(parallel ? `${state.key} (parallel regions)` : state.key)}</b>>; labeljust=l; ` +
          `style="rounded,${parallel ? "dashed" : "filled"}"; fillcolor="${COLORS.cluster}"; color="${COLORS.line}"; margin=16;`,
      );
    }
    const own = hasOwnBox(chart, state)
      ? [
          `${inner}${quoted(ownOf(state))} [label=${boxLabel(ownBoxLabel(state), internalLines(chart, state), true)}, ` +
            `style="rounded,dashed,filled", fillcolor="${COLORS.own}"];`,
        ]
      : [];
    if (state.initial !== null) {
      const initial = byId.get(state.initial) as ChartState;
      const target = entryPoint(initial);
      lines.push(
        `${inner}${quoted(initialOf(state))} [shape=point, width=0.14, label="", style=filled, fillcolor="${COLORS.line}"];`,
      );
      const lhead = target.cluster === null ? "" : ` [lhead=${quoted(clusterOf(target.cluster))}]`;
      lines.push(`${inner}${quoted(initialOf(state))} -> ${quoted(target.node)}${lhead};`);
    }
    // Left to right, Graphviz stacks what comes first at the bottom: parallel regions are given in
    // reverse so that they read top down in definition order, the state's own box above them.
    if (parallel && options.direction === "LR") {
      for (const child of [...state.children].reverse()) emit(child, inner);
      lines.push(...own);
    } else {
      lines.push(...own);
      for (const child of state.children) emit(child, inner);
    }
    if (!isRoot) lines.push(`${indent}}`);
  };
  emit(chart.root, "  ");

  let drawn = 0;
  for (const transition of chart.transitions) {
    const source = byId.get(transition.source) as ChartState;
    const from = isLeaf(source) ? source.id : ownOf(source);
    for (const targetId of transition.targets) {
      const target = byId.get(targetId) as ChartState;
      const { node, cluster } = entryPoint(target);
      const color = EDGE_COLORS[drawn++ % EDGE_COLORS.length] as string;
      const attributes = [`label=${edgeLabel(transition, color)}`, `color="${color}"`, `fontcolor="${color}"`];
      if (transition.event === null) attributes.push("style=dashed");
      // Graphviz cannot stop an edge at the border of a cluster the edge starts in.
      if (cluster !== null && !isWithin(source, cluster)) attributes.push(`lhead=${quoted(clusterOf(cluster))}`);
      lines.push(`  ${quoted(from)} -> ${quoted(node)} [${attributes.join(", ")}];`);
    }
  }
  lines.push("}");
  return lines.join("\n");
}
