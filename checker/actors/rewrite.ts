/**
 * Machine rewrites: how a mutant of a machine (checker/mutation.ts, rule coverage by mutation as in
 * PIT or Stryker) is put into the actor models that code which knows nothing of it builds, so that
 * every model builder runs unchanged on the mutant and the chart stays the one the docs draw.
 */

import type { AnyStateMachine } from "xstate";
import type { ActorModelSpec } from "./types.js";

/** A rewrite of the machines of the actor models built while it is in force (see {@link withMachineRewrite}). */
export type MachineRewrite = (machine: AnyStateMachine) => AnyStateMachine;

let machineRewrite: MachineRewrite | undefined;

/**
 * Builds models whose actors run `rewrite(machine)` instead of each machine they are given: how a
 * mutant of a machine (checker/mutation.ts) is put into models built by code that knows nothing
 * of it. The rewrite is in force while `build` runs, synchronously; actors that share a machine
 * share its rewrite, so symmetry still sees them as interchangeable.
 */
export function withMachineRewrite<T>(rewrite: MachineRewrite, build: () => T): T {
  const outer = machineRewrite;
  const rewritten = new Map<AnyStateMachine, AnyStateMachine>();
  machineRewrite = (machine) => {
    let result = rewritten.get(machine);
    if (result === undefined) {
      result = rewrite(machine);
      rewritten.set(machine, result);
    }
    return result;
  };
  try {
    return build();
  } finally {
    machineRewrite = outer;
  }
}

/** `spec` with each actor's machine rewritten by the rewrite in force, if any. */
export function rewriteMachines(spec: ActorModelSpec): ActorModelSpec {
  const rewrite = machineRewrite;
  if (rewrite === undefined) return spec;
  return { ...spec, actors: spec.actors.map((actor) => ({ ...actor, machine: rewrite(actor.machine) })) };
}
