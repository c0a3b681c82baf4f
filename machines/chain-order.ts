/**
 * Chain events processed in chain order. A node receives the events of its stream
 * (`chain-events.ts`) in whatever order the network delivers them and processes them in the
 * order of their numbers, as the implementation's event cursor does: an event ahead of its turn
 * is held, and taken up once every event before it is processed.
 *
 * The node machines keep `nextSeq` (the number of the next event to process) and `early` (the
 * events held, sorted by number) in their contexts; these are the guards and the context changes
 * they share.
 */

/** What a machine keeps of the chain order. */
export interface ChainOrder<E extends { readonly seq: number }> {
  readonly nextSeq: number;
  readonly early: readonly E[];
}

const seqOf = (event: object): number | undefined =>
  "seq" in event && typeof event.seq === "number" ? event.seq : undefined;

/** The guards: the event is next in chain order, ahead of it, or the next one is already held. */
export const chainOrderGuards = {
  /** The event is the next one of the node's stream. */
  inChainOrder: ({ context, event }: { context: { readonly nextSeq: number }; event: object }) =>
    seqOf(event) === context.nextSeq,
  /** The event comes before its turn: it is held. */
  aheadOfChainOrder: ({ context, event }: { context: { readonly nextSeq: number }; event: object }) =>
    (seqOf(event) ?? -1) > context.nextSeq,
  /** The next event of the stream is among those held. */
  nextEventHeld: ({ context }: { context: ChainOrder<{ readonly seq: number }> }) =>
    context.early.some((e) => e.seq === context.nextSeq),
};

/** The events held once `event` is held too (an event already held is not held twice). */
export function withEarlyEvent<E extends { readonly seq: number }>(order: ChainOrder<E>, event: E): E[] {
  return order.early.some((e) => e.seq === event.seq)
    ? [...order.early]
    : [...order.early, event].sort((a, b) => a.seq - b.seq);
}

/** The held event whose turn it is, and the events held without it. */
export function takeNextHeldEvent<E extends { readonly seq: number }>(order: ChainOrder<E>): { next: E; early: E[] } {
  const next = order.early.find((e) => e.seq === order.nextSeq) as E;
  return { next, early: order.early.filter((e) => e !== next) };
}
