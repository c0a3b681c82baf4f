/**
 * Drivers for the machines no model of the catalogue runs as an actor (see report/coverage-drivers.ts
 * for what a driver is). Each says where its input and events come from: a region of a machine the
 * models do run.
 */

import type { Driver, Drivers } from "./coverage-drivers.js";

/**
 * The drivers of the machines no model runs, given the drivers the models give. `epochs` is the
 * `epochs` region of the chain with epochs, which the epoch-change models run: its input (the first
 * committee, the subscribers) and events (`VotingEnd`, `InitiateEpochChange`, `EpochSyncDone`) are
 * the chain actor's; the certificates it also takes are the blob region's, which this one ignores.
 */
export function ownDrivers(fromModels: Drivers): Map<string, readonly Driver[]> {
  return new Map<string, readonly Driver[]>([
    [
      "epochs",
      (fromModels.get("chain-with-epochs") ?? []).flatMap(({ snapshot, ...driver }) =>
        snapshot === undefined ? [{ ...driver, label: `${driver.label}, the chain with epochs` }] : [],
      ),
    ],
  ]);
}
