/**
 * A quorum write with a Byzantine acceptor: the smallest model of the pattern Walrus's write path
 * follows (paper §4: a writer collects confirmations from 2f + 1 shards before it certifies). A
 * writer sends a value to every acceptor; a correct acceptor stores it and acknowledges; the writer
 * commits once acknowledgements cover 2f + 1 shards. A Byzantine acceptor acknowledges without
 * storing anything. Channels are authenticated, so it can only speak for itself.
 *
 * Claims: quorum intersection — once the writer commits, correct acceptors holding at least f + 1
 * shards store the value, so any later quorum of 2f + 1 meets one of them; and the write completes
 * while at most f shards are faulty. With f + 1 Byzantine shards the intersection claim fails,
 * and the checker shows how.
 *
 * Messages are one discriminated union, {@link QuorumMessage}; the `send` action and the
 * adversary's menu take a message of it with its recipient, so a misspelled message type or a
 * missing field does not compile (the checker would otherwise drop the message without a word).
 */

import { assign, setup } from "xstate";
import {
  ActorModel,
  type AdversarySpec,
  type NetworkKind,
  type NetworkSpec,
  type SystemView,
} from "../../checker/actors.js";
import { ModelError } from "../../checker/errors.js";

/** An acceptor, named by its index. */
export type AcceptorName = `A${number}`;

/** An actor of the system: the writer or an acceptor. */
export type QuorumActor = "writer" | AcceptorName;

/** writer → acceptor: store `value`. */
export interface Write {
  readonly type: "Write";
  readonly value: string;
}

/** acceptor → writer: `acceptor` stores `value` (channels are authenticated: it names the sender). */
export interface Ack {
  readonly type: "Ack";
  readonly acceptor: AcceptorName;
  readonly value: string;
}

/** Every message of the quorum write. */
export type QuorumMessage = Write | Ack;

/** A message with its recipient: the params of the `send` action and an entry of the adversary's menu. */
export type QuorumOutgoing = QuorumMessage & { readonly to: QuorumActor };

/** The send action: it does nothing itself; its params are the message, `to` naming the recipient. */
export const sendQuorumMessage = (_: unknown, _params: QuorumOutgoing) => {};

const VALUE = "v1";

function acceptor() {
  return setup({
    types: {} as {
      context: { name: AcceptorName; stored: string | null };
      input: { name: AcceptorName };
      events: Write;
    },
    actions: { send: sendQuorumMessage },
  }).createMachine({
    id: "acceptor",
    context: ({ input }) => ({ name: input.name, stored: null }),
    initial: "waiting",
    states: {
      waiting: {
        on: {
          Write: {
            target: "stored",
            actions: [
              assign({ stored: ({ event }) => event.value }),
              {
                type: "send",
                params: ({ context, event }) => ({
                  to: "writer",
                  type: "Ack",
                  acceptor: context.name,
                  value: event.value,
                }),
              },
            ],
          },
        },
      },
      stored: {},
    },
  });
}

function writer(acceptors: readonly { name: AcceptorName; shards: number }[], quorum: number) {
  const weight = (names: readonly AcceptorName[]) =>
    names.reduce((sum, name) => sum + (acceptors.find((a) => a.name === name)?.shards ?? 0), 0);
  return setup({
    types: {} as {
      context: { acked: AcceptorName[] };
      events: Ack;
    },
    actions: {
      send: sendQuorumMessage,
      recordAck: assign({
        acked: ({ context, event }) =>
          context.acked.includes(event.acceptor) ? context.acked : [...context.acked, event.acceptor].sort(),
      }),
    },
    guards: {
      quorumReached: ({ context, event }) =>
        weight(context.acked.includes(event.acceptor) ? context.acked : [...context.acked, event.acceptor]) >= quorum,
    },
  }).createMachine({
    id: "quorumWriter",
    context: { acked: [] },
    initial: "collecting",
    entry: acceptors.map(({ name }) => ({
      type: "send" as const,
      params: { to: name, type: "Write", value: VALUE } satisfies QuorumOutgoing,
    })),
    states: {
      collecting: {
        on: {
          Ack: [{ guard: "quorumReached", target: "committed", actions: "recordAck" }, { actions: "recordAck" }],
        },
      },
      committed: {},
    },
  });
}

export interface QuorumWriteOptions {
  /** Shards of each acceptor (its length is the number of acceptors). */
  readonly shards: readonly number[];
  /** Acceptors the adversary plays (by index). */
  readonly byzantine?: readonly number[];
  /** Acceptors that may crash (by index). */
  readonly crash?: readonly number[];
  /** The adversary's budget in shards; default f. */
  readonly budget?: number;
  readonly network?: NetworkKind | NetworkSpec;
  /**
   * Check quorum intersection (default true). It reads every acceptor, so every delivery is
   * visible to it and partial-order reduction has nothing to reorder; without it the properties
   * read only the writer.
   */
  readonly intersection?: boolean;
}

/** The quorum write with `options.shards.length` acceptors. */
export function quorumWrite(options: QuorumWriteOptions): ActorModel {
  const n = options.shards.reduce((a, b) => a + b, 0);
  if (options.shards.length < 1 || n < 4) throw new ModelError("quorum write: at least 4 shards");
  const f = Math.floor((n - 1) / 3);
  const acceptors = options.shards.map((shards, i) => ({ name: `A${i}` as const, shards }));
  const names = (indices: readonly number[] = []) =>
    indices.map((i) => {
      if (!Number.isInteger(i) || i < 0 || i >= acceptors.length)
        throw new ModelError(`quorum write: no acceptor ${i}`);
      return acceptors[i].name;
    });
  const byzantine = names(options.byzantine);
  const adversary: AdversarySpec | undefined =
    byzantine.length > 0 || (options.crash?.length ?? 0) > 0
      ? {
          budget: options.budget ?? f,
          byzantine,
          crash: names(options.crash),
          // Authenticated channels: a Byzantine acceptor acknowledges only in its own name.
          menu: Object.fromEntries(
            byzantine.map((name): [AcceptorName, QuorumOutgoing[]] => [
              name,
              [{ to: "writer", type: "Ack", acceptor: name, value: VALUE }],
            ]),
          ),
        }
      : undefined;
  const acceptorMachine = acceptor();
  // Shards of correct acceptors that store the value.
  const storedShards = (view: SystemView) =>
    acceptors.reduce((sum, a, i) => {
      const snapshot = view.actors[i + 1];
      return view.status[i + 1] === "correct" && snapshot.context.stored === VALUE ? sum + a.shards : sum;
    }, 0);
  const committed = (view: SystemView) => view.actors[0].value === "committed";
  const ackedShards = (view: SystemView) =>
    (view.actors[0].context.acked as string[]).reduce(
      (sum, name) => sum + (acceptors.find((a) => a.name === name)?.shards ?? 0),
      0,
    );
  return new ActorModel({
    name: `quorum-write(${options.shards.join(",")})`,
    network: options.network ?? "unordered",
    actors: [
      { name: "writer", machine: writer(acceptors, 2 * f + 1), sendsTo: acceptors.map((a) => a.name) },
      ...acceptors.map((a) => ({
        name: a.name,
        machine: acceptorMachine,
        input: { name: a.name },
        shards: a.shards,
        sendsTo: ["writer"],
      })),
    ],
    ...(adversary ? { adversary } : {}),
    properties: [
      ...(options.intersection === false
        ? []
        : [
            {
              kind: "always" as const,
              id: "quorum-intersection",
              name: "quorum intersection: committed ⇒ f+1 correct shards store the value",
              claim:
                "Once the writer commits, correct acceptors holding f + 1 shards store the value, so every later quorum of 2f + 1 meets one of them.",
              source: { sections: ["1.4", "2.1"], detail: "2f + 1 acknowledgements of 3f + 1 shards" },
              reads: ["writer", ...acceptors.map((a) => a.name)],
              holds: (view: SystemView) => !committed(view) || storedShards(view) >= f + 1,
            },
          ]),
      {
        kind: "always",
        id: "commit-quorum",
        name: "the writer commits only with acknowledgements from 2f+1 shards",
        claim: "The writer commits only with acknowledgements that cover 2f + 1 shards.",
        source: { sections: ["1.4"] },
        reads: ["writer"],
        holds: (view) => !committed(view) || ackedShards(view) >= 2 * f + 1,
      },
      {
        kind: "eventually",
        id: "write-completes",
        name: "the write completes",
        claim: "With at most f faulty shards and an asynchronous, reliable network, the write completes.",
        source: { sections: ["1.2", "2.1"] },
        reads: ["writer"],
        holds: committed,
      },
      {
        kind: "sometimes",
        id: "witness-commit",
        name: "the writer commits",
        claim: "The quorum-write properties are not vacuous: the writer commits.",
        source: { sections: ["2.1"] },
        reads: ["writer"],
        holds: committed,
      },
    ],
  });
}
