/**
 * How the SVG layout is judged (report/layout.ts): crossings counted from what Graphviz drew —
 * an edge across another, a label's leader across an edge or a cluster's border, not edges that
 * merely meet at a state — and the drawing chosen for a dense chart crossing less than Graphviz's
 * first try.
 */

import { instance } from "@viz-js/viz";
import { describe, expect, it } from "vitest";
import { createMachine } from "xstate";
import { chartOf } from "../report/chart.js";
import { dotOf } from "../report/dot.js";
import { edgeCrossings, layoutDefects, renderChart } from "../report/layout.js";
import { statusRegion } from "../machines/node/status.js";

const edge = (d: string, leader?: string) =>
  `<g id="e" class="edge"><title>a</title><path fill="none" stroke="#000" d="${d}"/>` +
  (leader === undefined ? "" : `<polyline fill="none" stroke="#000" points="${leader}"/>`) +
  "</g>";
const cluster = (d: string) =>
  `<g id="c" class="cluster"><title>c</title><path fill="#fff" stroke="#000" d="${d}"/></g>`;
const svg = (...parts: string[]) => `<svg width="100pt" height="100pt">${parts.join("\n")}</svg>`;

describe("edge crossings", () => {
  it("count an edge across another, straight or curved", () => {
    expect(edgeCrossings(svg(edge("M0,0L100,100"), edge("M0,100L100,0")))).toBe(1);
    expect(edgeCrossings(svg(edge("M0,50C30,0 70,0 100,50"), edge("M45,0L45,100")))).toBe(1);
    expect(edgeCrossings(svg(edge("M0,0L100,0"), edge("M0,10L100,10")))).toBe(0);
  });

  it("leave out edges that meet where they start or end", () => {
    expect(edgeCrossings(svg(edge("M0,0L100,100"), edge("M2,-2L0,100")))).toBe(0);
  });

  it("count a label's leader across another edge or a cluster's border", () => {
    // The leader is the polyline's last segment, from the label's underline to its edge.
    const labelled = edge("M0,0L0,100", "40,50 10,50 0,50");
    expect(edgeCrossings(svg(labelled, edge("M5,20L5,80")))).toBe(1);
    expect(edgeCrossings(svg(labelled, cluster("M5,0L5,100L90,100L90,0Z")))).toBe(1);
    expect(edgeCrossings(svg(labelled, cluster("M20,0L20,100L90,100L90,0Z")))).toBe(0);
  });
});

describe("the layout chosen", () => {
  it("crosses less than Graphviz's first try on a dense chart, and overlaps nothing", async () => {
    const viz = await instance();
    // The storage node's status region on its own: six states, many crossing changes.
    const chart = chartOf(createMachine({ id: "node-status", ...statusRegion }));
    const first = viz.render(dotOf(chart), { format: "svg" }).output as string;
    const chosen = renderChart(viz, chart);
    expect(layoutDefects(chosen)).toBe(0);
    expect(edgeCrossings(chosen)).toBeLessThan(edgeCrossings(first));
  });
});
