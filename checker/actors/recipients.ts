/**
 * Which actors a local state may still send to, read from the machine's chart: the dependency
 * relation partial-order reduction needs (checker/actors/reduction.ts). Read from the chart alone
 * it missed sends inside `setup` actions, so named actions are looked up in the machine's
 * implementations, and any send whose recipient is computed counts as every actor the sender
 * declares (`sendsTo`), or as any actor. An over-approximation costs reduction, never soundness.
 */

import type { AnyStateNode, SnapshotFrom, AnyStateMachine } from "xstate";
import type { ActorTables } from "./interning.js";
import type { OutgoingMessage } from "./types.js";

/** One model's may-send-to relation, cached per local state. */
export class Recipients {
  /** Per local state: bit mask of the actors it may still send to. */
  private readonly recipients: number[] = [];

  constructor(private readonly tables: ActorTables) {}

  /**
   * The actors a local state may still send to, as a bit mask: the sends on every transition,
   * entry and exit of the state nodes reachable from the active ones. A `send` whose params are
   * computed counts as the actor's declared `sendsTo` (or any actor); so does `enqueueActions`,
   * written in the chart or named there and implemented in `setup`.
   */
  of(local: number, actor: number): number {
    const cached = this.recipients[local];
    if (cached !== undefined) return cached;
    const actors = this.tables.actors;
    const all = (1 << actors.length) - 1;
    const spec = actors[actor];
    const declared =
      spec.sendsTo === undefined
        ? all
        : spec.sendsTo.reduce((m, name) => m | (1 << this.tables.actorIndex(name, "sendsTo")), 0);
    const snapshot = this.tables.locals[local].snapshot as SnapshotFrom<AnyStateMachine> & {
      _nodes: AnyStateNode[];
    };
    let mask = 0;
    // Actions the chart names are looked up in the machine's implementations: a named action that
    // enqueues sends (or is `send` itself) sends as much as one written in the chart.
    const named = spec.machine.implementations.actions as Record<string, unknown>;
    const namedMask = (name: string): number => {
      if (name === "send" || (named[name] !== undefined && named[name] === named.send)) return declared;
      const implementation = named[name];
      return typeof implementation === "function" ? itemMask(implementation) : 0;
    };
    const itemMask = (item: unknown): number => {
      if (typeof item === "string") return namedMask(item);
      if (typeof item === "function") {
        return (item as { type?: string }).type === "xstate.enqueueActions" ? declared : 0;
      }
      const { type, params } = item as { type?: string; params?: unknown };
      if (typeof type === "string" && type !== "send") return namedMask(type);
      if (type !== "send") return 0;
      if (typeof params === "object" && params !== null && typeof (params as OutgoingMessage).to === "string") {
        const to = actors.findIndex((a) => a.name === (params as OutgoingMessage).to);
        return to < 0 ? all : 1 << to;
      }
      return declared;
    };
    if (snapshot.status === "active") {
      // Active nodes have run their entry actions already; a node reached by a transition runs
      // them (again).
      const seen = new Set<AnyStateNode>();
      const entered = new Set<AnyStateNode>();
      const active = new Set(snapshot._nodes);
      const work = [...snapshot._nodes];
      const inside = (node: AnyStateNode, ancestor: AnyStateNode) => {
        for (let at: AnyStateNode | undefined = node; at; at = at.parent) if (at === ancestor) return true;
        return false;
      };
      const enter = (node: AnyStateNode) => {
        if (!entered.has(node)) {
          entered.add(node);
          for (const item of node.entry) mask |= itemMask(item);
        }
        if (!seen.has(node)) work.push(node);
        for (const child of Object.values(node.states)) enter(child);
      };
      const reach = (target: AnyStateNode, source: AnyStateNode, reenter: boolean) => {
        enter(target);
        for (let at = target.parent; at; at = at.parent) {
          // An active ancestor that contains the source is not left, so not entered again.
          if (active.has(at) && !reenter && inside(source, at)) break;
          if (!entered.has(at)) {
            entered.add(at);
            for (const item of at.entry) mask |= itemMask(item);
          }
          if (!seen.has(at)) work.push(at);
        }
      };
      while (work.length > 0 && mask !== all) {
        const node = work.pop() as AnyStateNode;
        if (seen.has(node)) continue;
        seen.add(node);
        for (const item of node.exit) mask |= itemMask(item);
        const transitions = [...node.transitions.values()].flat().concat(node.always ?? []);
        for (const t of transitions) {
          for (const item of t.actions) mask |= itemMask(item);
          for (const target of t.target ?? []) reach(target, t.source, t.reenter);
        }
      }
    }
    this.recipients[local] = mask;
    return mask;
  }
}
