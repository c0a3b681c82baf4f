/**
 * Typed errors of the checker. A model built with impossible parameters (an adversary budget below
 * the shards it is given, an unknown actor name, too many actors for the fault word) is rejected
 * when it is built, with one of these, rather than producing a state space that means nothing.
 */

/** A model definition or its parameters are invalid. */
export class ModelError extends Error {
  override readonly name = "ModelError";
}
