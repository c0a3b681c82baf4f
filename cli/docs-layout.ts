/**
 * Chooses how Graphviz lays a chart out by looking at what it drew. Graphviz sometimes puts two
 * edge labels on top of each other, a label on a state, or a label across a cluster's border; which
 * settings avoid that differs from chart to chart. Each candidate layout is measured from its SVG
 * and the one with the fewest such defects, then the smallest longest side, is kept — so a new
 * machine gets a readable drawing without anyone tuning it.
 */

import type { Viz } from "@viz-js/viz";
import type { Chart } from "./docs-chart.js";
import { type DotOptions, dotOf } from "./docs-dot.js";

interface Box {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

/** The layouts tried; on a tie the first wins, so a chart that reads well top down stays so. */
const CANDIDATES: readonly Required<DotOptions>[] = [
  { direction: "TB", nodesep: 0.45 },
  { direction: "LR", nodesep: 0.45 },
  { direction: "TB", nodesep: 0.7 },
  { direction: "LR", nodesep: 0.7 },
];

function boxOfNumbers(numbers: readonly number[]): Box | null {
  if (numbers.length < 2) return null;
  const xs = numbers.filter((_, i) => i % 2 === 0);
  const ys = numbers.filter((_, i) => i % 2 === 1);
  return { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) };
}

/** The bounding box of the first shape in an SVG fragment (a path, polygon or ellipse). */
function shapeBox(fragment: string): Box | null {
  const ellipse = /<ellipse[^>]*cx="([-\d.]+)" cy="([-\d.]+)" rx="([-\d.]+)" ry="([-\d.]+)"/.exec(fragment);
  const shape = /<(path|polygon)[^>]* (d|points)="([^"]*)"/.exec(fragment);
  if (ellipse && (!shape || ellipse.index < shape.index)) {
    const [cx, cy, rx, ry] = ellipse.slice(1).map(Number) as [number, number, number, number];
    return { x0: cx - rx, y0: cy - ry, x1: cx + rx, y1: cy + ry };
  }
  if (!shape) return null;
  return boxOfNumbers((shape[3]?.match(/-?\d+(?:\.\d+)?/g) ?? []).map(Number));
}

/** The groups Graphviz writes for one kind of element (`node`, `edge`, `cluster`). */
function groups(svg: string, kind: string): string[] {
  return svg
    .split(/(?=<g id="[^"]*" class=")/)
    .filter((part) => part.startsWith(`<g id="`) && part.includes(`class="${kind}"`));
}

const overlap = (a: Box, b: Box, slack = 0) =>
  a.x0 < b.x1 - slack && b.x0 < a.x1 - slack && a.y0 < b.y1 - slack && b.y0 < a.y1 - slack;

const contains = (outer: Box, inner: Box, margin: number) =>
  inner.x0 >= outer.x0 + margin &&
  inner.x1 <= outer.x1 - margin &&
  inner.y0 >= outer.y0 + margin &&
  inner.y1 <= outer.y1 - margin;

/**
 * What makes a drawing hard to read, counted: label on label, label on state, label across a
 * cluster's border. Edge labels are found by the translucent fill the Graphviz drawing gives them.
 */
export function layoutDefects(svg: string): number {
  const labels = groups(svg, "edge").flatMap((group) => {
    const fill = /<polygon fill="#ffffff" fill-opacity="[\d.]+" stroke="none" points="([^"]*)"/.exec(group);
    const box = fill ? boxOfNumbers((fill[1]?.match(/-?\d+(?:\.\d+)?/g) ?? []).map(Number)) : null;
    return box ? [box] : [];
  });
  const nodes = groups(svg, "node").flatMap((group) => shapeBox(group) ?? []);
  const clusters = groups(svg, "cluster").flatMap((group) => shapeBox(group) ?? []);
  let defects = 0;
  labels.forEach((label, i) => {
    for (const other of labels.slice(i + 1)) if (overlap(label, other, 1)) defects++;
    for (const node of nodes) if (overlap(label, node, 1)) defects++;
    for (const cluster of clusters) if (overlap(label, cluster) && !contains(cluster, label, 2)) defects++;
  });
  return defects;
}

/** The drawing's size in points, from the `<svg width=… height=…>` Graphviz writes. */
export function svgSize(svg: string): { width: number; height: number } {
  const match = /<svg width="([\d.]+)pt" height="([\d.]+)pt"/.exec(svg);
  return { width: Number(match?.[1] ?? 0), height: Number(match?.[2] ?? 0) };
}

/** The chart as SVG in the most readable of the candidate layouts. */
export function renderChart(viz: Viz, chart: Chart): string {
  let best: { svg: string; defects: number; side: number } | null = null;
  for (const options of CANDIDATES) {
    const result = viz.render(dotOf(chart, options), { format: "svg" });
    if (result.status !== "success" || result.output === undefined) {
      throw new Error(`Graphviz could not lay out ${chart.id}: ${result.errors.map((e) => e.message).join("; ")}`);
    }
    const svg = result.output;
    const { width, height } = svgSize(svg);
    const candidate = { svg, defects: layoutDefects(svg), side: Math.max(width, height) };
    if (
      best === null ||
      candidate.defects < best.defects ||
      (candidate.defects === best.defects && candidate.side < best.side)
    ) {
      best = candidate;
    }
  }
  return (best as { svg: string }).svg;
}
