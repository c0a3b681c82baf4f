/**
 * Option parsers the commands share, so that every command rejects a bad value with the same
 * one-line message (and exit code 2).
 */

import { InvalidArgumentError } from "commander";

/** An integer ≥ 1. */
export function positiveInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1)
    throw new InvalidArgumentError("must be a positive integer");
  return n;
}

/** An integer in 0..2^32 − 1 (a seed). */
export function uint32(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 0xffffffff) throw new InvalidArgumentError("must be an integer in 0..4294967295");
  return n;
}

/** A number of seconds > 0. */
export function positiveSeconds(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(n > 0)) throw new InvalidArgumentError("must be a positive number of seconds");
  return n;
}

/** A parser accepting one of `choices`. */
export function oneOf<T extends string>(...choices: readonly T[]): (value: string) => T {
  return (value: string) => {
    if (!(choices as readonly string[]).includes(value)) {
      throw new InvalidArgumentError(`must be ${choices.slice(0, -1).join(", ")} or ${choices.at(-1)}`);
    }
    return value as T;
  };
}
