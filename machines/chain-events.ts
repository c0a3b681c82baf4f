/**
 * How the chain's events reach their subscribers: each subscriber reads its own stream of the
 * events it follows, numbered from 0 in chain order (a node's event cursor), so a subscriber that
 * receives them in any order processes them in the chain's, and one that does not follow an event
 * has no gap to wait on.
 */

import type { ActorName, ProtocolMessage } from "../spec/messages.js";
import type { Addressed } from "./committee.js";

/** The chain's events: the messages numbered in each subscriber's stream. */
export type Announced = Extract<ProtocolMessage, { readonly seq: number }>;

/** The message without its number (distributed over a union, so each event keeps its own fields). */
export type Unnumbered<M> = M extends unknown ? Omit<M, "seq"> : never;

/** A chain event before the chain numbers it for a subscriber. */
export type Announcement = Unnumbered<Announced>;

/** Who receives which of the chain's events (`T`: the event types it may follow). */
export interface Subscriber<T extends string = string> {
  readonly name: ActorName;
  readonly events: readonly T[];
}

/** The chain's subscribers and the next number of each one's stream (same order). */
export interface EventStreams {
  readonly subscribers: readonly Subscriber[];
  readonly seq: readonly number[];
}

/** The event, numbered, to every subscriber that follows it, and the streams' next numbers after it. */
export function announce(context: EventStreams, event: Announcement): { messages: Addressed[]; seq: number[] } {
  const messages: Addressed[] = [];
  const seq = context.subscribers.map((subscriber, i) => {
    const next = context.seq[i] ?? 0;
    if (!subscriber.events.includes(event.type)) return next;
    // An announcement with its number is the chain event it was made from; TypeScript cannot see
    // through the distributed `Omit`, hence the assertion.
    messages.push({ to: subscriber.name, ...event, seq: next } as Addressed<Announced>);
    return next + 1;
  });
  return { messages, seq };
}

/** What an `enqueueActions` callback is given that an announcement needs: `send` and `assign`. */
export interface AnnouncementQueue {
  (action: { readonly type: "send"; readonly params: Addressed }): void;
  /** Records the streams' next numbers once the announcement is numbered. */
  assign(values: { readonly seq: number[] }): void;
}

/** Sends the event to its subscribers and advances their streams, from an `enqueueActions` callback. */
export function enqueueAnnouncement(enqueue: AnnouncementQueue, context: EventStreams, event: Announcement): void {
  const { messages, seq } = announce(context, event);
  for (const message of messages) enqueue({ type: "send", params: message });
  enqueue.assign({ seq });
}

/** Every stream at its start. */
export const freshStreams = (subscribers: EventStreams["subscribers"]): number[] => subscribers.map(() => 0);
