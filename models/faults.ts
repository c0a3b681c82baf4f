/**
 * What the Walrus models share about faults: the adversary of named crashing and Byzantine nodes,
 * a Byzantine node's corrupted sliver or symbol, and the codec's refusal of a model's blob turned
 * into a {@link ModelError} that names the model.
 */

import type { AdversarySpec, OutgoingMessage } from "../checker/actors.js";
import { ModelError } from "../checker/errors.js";
import { WalrusSpecError, maxFaulty } from "../spec/index.js";

/**
 * The adversary, if any node may fail: within `budget` shards (default f of n), the named nodes may
 * crash, and the Byzantine ones send what `menu` gives them, in flight from the start (a Byzantine
 * message is never consumed, so when it goes out matters less than when it arrives, which the
 * network chooses).
 */
export function adversaryOf(
  nShards: number,
  faults: { readonly crash: readonly string[]; readonly byzantine: readonly string[]; readonly budget?: number },
  menu: (name: string) => readonly OutgoingMessage[],
): AdversarySpec | undefined {
  const { crash, byzantine } = faults;
  if (crash.length + byzantine.length === 0) return undefined;
  return {
    budget: faults.budget ?? maxFaulty(nShards),
    crash,
    byzantine,
    menu: Object.fromEntries(byzantine.map((name) => [name, menu(name)])),
    menuInFlight: true,
  };
}

/** A copy with the first `bytes` bytes flipped: the right size and indices, the wrong contents. */
export function corrupt<T extends { readonly data: Uint8Array }>(value: T, bytes: number): T {
  const data = value.data.slice();
  for (let b = 0; b < Math.min(bytes, data.length); b++) data[b] ^= 0xff;
  return { ...value, data };
}

/** What `build` returns, or a {@link ModelError} of `model` when the codec refuses its parameters. */
export function codecChecked<T>(model: string, what: string, build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof WalrusSpecError) throw new ModelError(`${model}: ${what}: ${error.message}`);
    throw error;
  }
}
