/**
 * The guarantees of one blob's write and read, as properties of the write-read models
 * (models/write-read.ts). Each names its claim and its source; each is paired with a `sometimes`
 * witness, so that a property that holds only because nothing happens is reported as vacuous.
 *
 * | property                                   | kind       | source                                               |
 * | ------------------------------------------ | ---------- | ---------------------------------------------------- |
 * | read consistency                           | always     | paper Definition 1.2 (§3.1)                          |
 * | validity                                   | always     | paper Definition 1.3 (§3.1)                          |
 * | availability after the point of availability | eventually | docs `operations.mdx`: read completion, correct blob retrieval after the PoA |
 * | the write reaches its point of availability | eventually | docs: correct storage guarantee                      |
 * | the certificate is a quorum of the epoch   | always     | `system_state_inner.move::certify_blob` (`is_quorum`) |
 * | write completeness                         | eventually | paper Definition 1.1 (§3.1)                          |
 * | stored at the point of availability        | always     | paper §4: of the 2f + 1 signers, f + 1 are honest and hold their slivers |
 *
 * The first five read only the chain and the reader, so every node's steps are invisible to them
 * and partial-order reduction can reorder the nodes' deliveries; the last two read every node.
 */

import type { SystemProperty, SystemView } from "../checker/actors.js";
import type { ByteRef } from "../spec/store.js";
import type { Committee } from "../machines/committee.js";
import { isQuorum } from "../spec/params.js";

/** Where the actors of a write-read model are, and what was written. */
export interface WriteReadLayout {
  readonly chain: string;
  readonly writer: string;
  /** The reader, if the model has one. */
  readonly reader?: string;
  readonly nodes: readonly string[];
  /** Actor name → index in the view. */
  readonly index: (name: string) => number;
  readonly committee: Committee;
  /** The blob the writer wrote (its bytes in the store). */
  readonly blob: ByteRef;
}

/** Which groups of properties a model checks. */
export interface WriteReadPropertyOptions {
  /** Write completeness and what the nodes store at the point of availability (they read every node). */
  readonly nodes?: boolean;
}

const snapshot = (view: SystemView, layout: WriteReadLayout, name: string) => view.actors[layout.index(name)];
const certified = (view: SystemView, layout: WriteReadLayout) =>
  snapshot(view, layout, layout.chain).value === "certified";
const readerIn = (view: SystemView, layout: WriteReadLayout, state: "succeeded" | "failed") =>
  snapshot(view, layout, layout.reader as string).value === state;
const readB = (view: SystemView, layout: WriteReadLayout) =>
  readerIn(view, layout, "succeeded") && snapshot(view, layout, layout.reader as string).context.blob === layout.blob;

/** A correct node that stores verified slivers of all its shards. */
function storesItsSlivers(view: SystemView, layout: WriteReadLayout, name: string): boolean {
  const at = layout.index(name);
  if (view.status[at] !== "correct") return false;
  const context = view.actors[at].context as { primary: (ByteRef | null)[]; secondary: (ByteRef | null)[] };
  return [...context.primary, ...context.secondary].every((ref) => ref !== null);
}

const shardsOf = (layout: WriteReadLayout, name: string) =>
  layout.committee.members.find((member) => member.name === name)?.shards.length ?? 0;

/** The properties of a write-read model. */
export function writeReadProperties(layout: WriteReadLayout, options: WriteReadPropertyOptions = {}): SystemProperty[] {
  const { chain, reader, nodes } = layout;
  const n = layout.committee.nShards;
  const readProperties: SystemProperty[] =
    reader === undefined
      ? []
      : [
          {
            kind: "always",
            name: "read consistency (Definition 1.2): a read that returns a blob returns the blob written",
            reads: [reader],
            holds: (view) => !readerIn(view, layout, "succeeded") || readB(view, layout),
          },
          {
            kind: "always",
            name: "validity (Definition 1.3): a read of a blob an honest writer wrote never returns ⊥",
            reads: [reader],
            holds: (view) => !readerIn(view, layout, "failed"),
          },
          {
            kind: "eventually",
            name: "availability after the point of availability: the read returns the blob written",
            reads: [reader],
            holds: (view) => readB(view, layout),
          },
          {
            kind: "sometimes",
            name: "witness: the reader returns the blob written",
            reads: [reader],
            holds: (view) => readB(view, layout),
          },
        ];
  const chainProperties: SystemProperty[] = [
    {
      kind: "eventually",
      name: "correct storage guarantee: an honest writer's blob reaches its point of availability",
      reads: [chain],
      holds: (view) => certified(view, layout),
    },
    {
      kind: "always",
      name: "the chain certifies only with confirmations from a quorum (2f+1 shards) of the epoch",
      reads: [chain],
      holds: (view) => {
        if (!certified(view, layout)) return true;
        const signers = snapshot(view, layout, chain).context.signers as string[];
        return isQuorum(
          signers.reduce((sum, name) => sum + shardsOf(layout, name), 0),
          n,
        );
      },
    },
    {
      kind: "sometimes",
      name: "witness: the blob is certified (the point of availability)",
      reads: [chain],
      holds: (view) => certified(view, layout),
    },
  ];
  const properties = [...readProperties, ...chainProperties];
  if (options.nodes) {
    const f = Math.floor((n - 1) / 3);
    const storedShards = (view: SystemView) =>
      nodes.reduce((sum, name) => sum + (storesItsSlivers(view, layout, name) ? shardsOf(layout, name) : 0), 0);
    const allCorrectStore = (view: SystemView) =>
      nodes.every((name) => view.status[layout.index(name)] !== "correct" || storesItsSlivers(view, layout, name));
    properties.push(
      {
        kind: "eventually",
        name: "write completeness (Definition 1.1): every correct node stores the slivers of all its shards",
        reads: [...nodes],
        holds: allCorrectStore,
      },
      {
        kind: "sometimes",
        name: "witness: a correct node stores slivers it recovered (never uploaded to it)",
        reads: [...nodes],
        holds: (view) =>
          nodes.some(
            (name) => storesItsSlivers(view, layout, name) && view.actors[layout.index(name)].context.uploader === null,
          ),
      },
      {
        kind: "always",
        name: "at the point of availability correct nodes holding f+1 shards store their slivers (§4)",
        reads: [chain, ...nodes],
        holds: (view) => !certified(view, layout) || storedShards(view) >= f + 1,
      },
    );
  }
  return properties;
}
