/**
 * What the models make of bytes that a fault or a bad parameter touches: a Byzantine node's
 * corrupted sliver or symbol, and the codec's refusal of a model's blob turned into a
 * {@link ModelError} that names the model.
 */

import { ModelError } from "../checker/errors.js";
import { WalrusSpecError } from "../spec/index.js";

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
