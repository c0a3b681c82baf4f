/**
 * Chooses how Graphviz lays a chart out by looking at what it drew. Graphviz sometimes puts two
 * edge labels on top of each other, a label on a state, or a label across a cluster's border, and
 * routes edges across each other; which settings avoid that differs from chart to chart. Each
 * candidate layout is measured from its SVG and the one with the fewest such defects, then the
 * fewest crossings, then the smallest longest side, is kept — so a new machine gets a readable
 * drawing without anyone tuning it.
 */

import type { Viz } from "@viz-js/viz";
import type { Chart } from "./chart.js";
import { type DotOptions, dotOf } from "./dot.js";

interface Box {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

/**
 * The layouts tried; on a tie the first wins, so a chart that reads well top down stays so. More
 * room between ranks lets Graphviz route edges around each other rather than across.
 */
const CANDIDATES: readonly Required<DotOptions>[] = [
  { direction: "TB", nodesep: 0.45, ranksep: 0.4 },
  { direction: "LR", nodesep: 0.45, ranksep: 0.4 },
  { direction: "TB", nodesep: 0.7, ranksep: 0.4 },
  { direction: "LR", nodesep: 0.7, ranksep: 0.4 },
  { direction: "TB", nodesep: 0.45, ranksep: 0.8 },
  { direction: "LR", nodesep: 0.45, ranksep: 0.8 },
  { direction: "TB", nodesep: 0.7, ranksep: 0.8 },
  { direction: "LR", nodesep: 0.7, ranksep: 0.8 },
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

type Point = readonly [number, number];

/** The points of an SVG path of M, C and L commands, each cubic flattened into short segments. */
function pathPoints(d: string): Point[] {
  const tokens = d.match(/[MCL]|-?\d+(?:\.\d+)?/g) ?? [];
  const points: Point[] = [];
  let command = "M";
  const numbers: number[] = [];
  const flush = () => {
    if (command === "C") {
      while (numbers.length >= 6 && points.length > 0) {
        const [x0, y0] = points[points.length - 1] as Point;
        const [x1, y1, x2, y2, x3, y3] = numbers.splice(0, 6) as [number, number, number, number, number, number];
        for (let i = 1; i <= 8; i++) {
          const t = i / 8;
          const u = 1 - t;
          points.push([
            u * u * u * x0 + 3 * u * u * t * x1 + 3 * u * t * t * x2 + t * t * t * x3,
            u * u * u * y0 + 3 * u * u * t * y1 + 3 * u * t * t * y2 + t * t * t * y3,
          ]);
        }
      }
    } else {
      while (numbers.length >= 2) points.push(numbers.splice(0, 2) as unknown as Point);
    }
    numbers.length = 0;
  };
  for (const token of tokens) {
    if (/^[MCL]$/.test(token)) {
      flush();
      command = token;
    } else numbers.push(Number(token));
  }
  flush();
  return points;
}

const pointsOf = (text: string): Point[] => {
  const numbers = (text.match(/-?\d+(?:\.\d+)?/g) ?? []).map(Number);
  const points: Point[] = [];
  for (let i = 0; i + 1 < numbers.length; i += 2) points.push([numbers[i] as number, numbers[i + 1] as number]);
  return points;
};

/** The cross product of q − p and r − p: which side of the line p–q the point r lies on. */
function cross(p: Point, q: Point, r: Point): number {
  return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0]);
}

/**
 * Where segments a–b and c–d cross, if they do (touching or overlapping is not crossing). Called
 * for every pair of segments of every candidate layout: it makes no function of its own per call
 * (under tsx each one is named as it is made, which took a fifth of `docs --check`).
 */
function crossing(a: Point, b: Point, c: Point, d: Point): Point | null {
  const d1 = cross(c, d, a);
  const d2 = cross(c, d, b);
  const d3 = cross(a, b, c);
  const d4 = cross(a, b, d);
  if (!(((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)))) return null;
  const t = d1 / (d1 - d2);
  return [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
}

/** How often two polylines cross, not counting crossings near the points in `ignoreNear`. */
function crossings(a: readonly Point[], b: readonly Point[], ignoreNear: readonly Point[] = []): number {
  let count = 0;
  for (let i = 1; i < a.length; i++) {
    for (let j = 1; j < b.length; j++) {
      const at = crossing(a[i - 1] as Point, a[i] as Point, b[j - 1] as Point, b[j] as Point);
      if (at !== null && !ignoreNear.some((q) => Math.hypot(at[0] - q[0], at[1] - q[1]) < 6)) count++;
    }
  }
  return count;
}

/**
 * Where lines cross that a reader must tell apart: an edge across another, and a label's leader
 * (the line from its underline to its edge) across another edge or a cluster's border (pointing
 * from one region into another). Crossings right at the ends of edges, where edges meet at a
 * state anyway, are not counted.
 */
export function edgeCrossings(svg: string): number {
  const edges = groups(svg, "edge").map((group) => {
    const path = /<path fill="none"[^>]* d="([^"]*)"/.exec(group);
    const leader = /<polyline fill="none"[^>]* points="([^"]*)"/.exec(group);
    const line = path ? pathPoints(path[1] ?? "") : [];
    const ends = line.length === 0 ? [] : [line[0] as Point, line[line.length - 1] as Point];
    return { line, ends, leader: leader ? pointsOf(leader[1] ?? "").slice(-2) : [] };
  });
  const borders = groups(svg, "cluster").flatMap((group) => {
    const shape = /<(?:path|polygon)[^>]* (?:d|points)="([^"]*)"/.exec(group);
    return shape ? [pathPoints(`M${shape[1] ?? ""}`)] : [];
  });
  let count = 0;
  edges.forEach((edge, i) => {
    for (const other of edges.slice(i + 1)) count += crossings(edge.line, other.line, [...edge.ends, ...other.ends]);
    for (const other of edges) if (other !== edge) count += crossings(edge.leader, other.line);
    for (const border of borders) count += crossings(edge.leader, border);
  });
  return count;
}

/**
 * The chart as SVG in the most readable of the candidate layouts: the fewest defects (text on
 * text is unreadable), then the fewest crossings (which edge goes where), then the smallest.
 */
export function renderChart(viz: Viz, chart: Chart): string {
  let best: { svg: string; score: readonly number[] } | null = null;
  for (const options of CANDIDATES) {
    const result = viz.render(dotOf(chart, options), { format: "svg" });
    if (result.status !== "success" || result.output === undefined) {
      throw new Error(`Graphviz could not lay out ${chart.id}: ${result.errors.map((e) => e.message).join("; ")}`);
    }
    const svg = result.output;
    const { width, height } = svgSize(svg);
    const score = [layoutDefects(svg), edgeCrossings(svg), Math.max(width, height)];
    const index = best === null ? -1 : score.findIndex((value, i) => value !== best?.score[i]);
    if (best === null || (index >= 0 && (score[index] as number) < (best.score[index] as number))) {
      best = { svg, score };
    }
  }
  return (best as { svg: string }).svg;
}
