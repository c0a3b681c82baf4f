/**
 * The guarantees of one blob's write and reads, as properties of the models of
 * models/write-read.ts. Each names its claim and its source; each is paired with a `sometimes`
 * witness, so that a property that holds only because nothing happens is reported as vacuous.
 *
 * An honest writer:
 *
 * | property                                        | kind       | source                                               |
 * | ----------------------------------------------- | ---------- | ---------------------------------------------------- |
 * | read consistency                                | always     | paper Definition 1.2 (§3.1)                          |
 * | validity                                        | always     | paper Definition 1.3 (§3.1)                          |
 * | availability after the point of availability    | eventually | docs `operations.mdx`: read completion and correct blob retrieval after the PoA |
 * | correct storage guarantee                       | eventually | docs `operations.mdx`                                |
 * | the certificate is a quorum of the epoch        | always     | `system_state_inner.move::certify_blob` (`is_quorum`) |
 * | encoding protection                             | always     | docs `operations.mdx`: no inconsistency proof exists for a correctly encoded blob |
 * | write completeness                              | eventually | paper Definition 1.1 (§3.1)                          |
 * | stored at the point of availability             | always     | paper §4: of the 2f + 1 signers, f + 1 are honest and hold their slivers |
 *
 * A malicious writer (an inconsistent encoding): read consistency — two readers that both return
 * return the same, the same bytes or both ⊥ (Definition 1.2 holds "even if the writer is
 * Byzantine") — and read completion (every read returns something), with the invalidation of the
 * blob ID as a witness.
 *
 * The read and chain properties read only the readers and the chain, so every node's steps are
 * invisible to them and partial-order reduction can reorder the nodes' deliveries; write
 * completeness and what nodes store read every node.
 */

import type { SystemProperty, SystemView } from "../checker/actors.js";
import type { ByteRef } from "../spec/store.js";
import type { Committee } from "../machines/committee.js";
import { isQuorum } from "../spec/params.js";

/** Where the actors of a write-read model are, and what was written. */
export interface WriteReadLayout {
  readonly chain: string;
  readonly writer: string;
  readonly readers: readonly string[];
  readonly nodes: readonly string[];
  /** Actor name → index in the view. */
  readonly index: (name: string) => number;
  readonly committee: Committee;
  /** The blob the writer wrote (its bytes in the store). */
  readonly blob: ByteRef;
  /** Whether the writer encoded it consistently. */
  readonly honestWriter: boolean;
  /** Whether the chain can invalidate the blob ID. */
  readonly invalidation: boolean;
}

/** Which groups of properties a model checks. */
export interface WriteReadPropertyOptions {
  /** Write completeness and what the nodes store at the point of availability (they read every node). */
  readonly nodes?: boolean;
}

const snapshot = (view: SystemView, layout: WriteReadLayout, name: string) => view.actors[layout.index(name)];
const chainIn = (view: SystemView, layout: WriteReadLayout, state: "certified" | "invalid") =>
  snapshot(view, layout, layout.chain).value === state;
/** What a reader returned: the blob's bytes, ⊥ (null), or nothing yet (undefined). */
function returned(view: SystemView, layout: WriteReadLayout, reader: string): ByteRef | null | undefined {
  const { value, context } = snapshot(view, layout, reader);
  return value === "succeeded" ? (context.blob as ByteRef) : value === "failed" ? null : undefined;
}

/** A correct node that stores verified slivers of all its shards. */
function storesItsSlivers(view: SystemView, layout: WriteReadLayout, name: string): boolean {
  const at = layout.index(name);
  if (view.status[at] !== "correct") return false;
  const context = view.actors[at].context as { primary: (ByteRef | null)[]; secondary: (ByteRef | null)[] };
  return [...context.primary, ...context.secondary].every((ref) => ref !== null);
}

const shardsOf = (layout: WriteReadLayout, name: string) =>
  layout.committee.members.find((member) => member.name === name)?.shards.length ?? 0;

/** What the readers must do when the writer is honest: return the blob written. */
function honestReads(layout: WriteReadLayout): SystemProperty[] {
  const { readers } = layout;
  if (readers.length === 0) return [];
  const allRead = (view: SystemView) => readers.every((reader) => returned(view, layout, reader) === layout.blob);
  return [
    {
      kind: "always",
      name: "read consistency (Definition 1.2): a read that returns a blob returns the blob written",
      reads: [...readers],
      holds: (view) =>
        readers.every((reader) => {
          const result = returned(view, layout, reader);
          return result === undefined || result === null || result === layout.blob;
        }),
    },
    {
      kind: "always",
      name: "validity (Definition 1.3): a read of a blob an honest writer wrote never returns ⊥",
      reads: [...readers],
      holds: (view) => readers.every((reader) => returned(view, layout, reader) !== null),
    },
    {
      kind: "eventually",
      name: "availability after the point of availability: every read returns the blob written",
      reads: [...readers],
      holds: allRead,
    },
    { kind: "sometimes", name: "witness: every reader returns the blob written", reads: [...readers], holds: allRead },
  ];
}

/** What the readers must do whatever the writer: agree, and finish. */
function maliciousReads(layout: WriteReadLayout): SystemProperty[] {
  const { readers, chain } = layout;
  const finished = (view: SystemView) => readers.every((reader) => returned(view, layout, reader) !== undefined);
  return [
    {
      kind: "always",
      name: "read consistency (Definition 1.2) with a Byzantine writer: readers that return, return the same",
      reads: [...readers],
      holds: (view) => {
        const results = readers.map((reader) => returned(view, layout, reader)).filter((r) => r !== undefined);
        return results.every((result) => result === results[0]);
      },
    },
    { kind: "eventually", name: "read completion: every read returns, a blob or ⊥", reads: [...readers], holds: finished },
    {
      kind: "sometimes",
      name: "witness: every reader returns ⊥",
      reads: [...readers],
      holds: (view) => readers.every((reader) => returned(view, layout, reader) === null),
    },
    {
      kind: "sometimes",
      name: "witness: the chain invalidates the blob ID",
      reads: [chain],
      holds: (view) => chainIn(view, layout, "invalid"),
    },
  ];
}

/** The properties of a write-read model. */
export function writeReadProperties(layout: WriteReadLayout, options: WriteReadPropertyOptions = {}): SystemProperty[] {
  const { chain, nodes } = layout;
  const n = layout.committee.nShards;
  const certifiedWithQuorum: SystemProperty = {
    kind: "always",
    name: "the chain certifies only with confirmations from a quorum (2f+1 shards) of the epoch",
    reads: [chain],
    holds: (view) => {
      if (!chainIn(view, layout, "certified")) return true;
      const signers = snapshot(view, layout, chain).context.signers as string[];
      return isQuorum(
        signers.reduce((sum, name) => sum + shardsOf(layout, name), 0),
        n,
      );
    },
  };
  if (!layout.honestWriter) return [...maliciousReads(layout), certifiedWithQuorum];
  const properties: SystemProperty[] = [
    ...honestReads(layout),
    {
      kind: "eventually",
      name: "correct storage guarantee: an honest writer's blob reaches its point of availability",
      reads: [chain],
      holds: (view) => chainIn(view, layout, "certified"),
    },
    certifiedWithQuorum,
    ...(layout.invalidation
      ? [
          {
            kind: "always" as const,
            name: "encoding protection: the chain never invalidates a correctly encoded blob",
            reads: [chain],
            holds: (view: SystemView) => !chainIn(view, layout, "invalid"),
          },
        ]
      : []),
    {
      kind: "sometimes",
      name: "witness: the blob is certified (the point of availability)",
      reads: [chain],
      holds: (view) => chainIn(view, layout, "certified"),
    },
  ];
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
            (name) =>
              storesItsSlivers(view, layout, name) && view.actors[layout.index(name)].context.uploader === null,
          ),
      },
      {
        kind: "always",
        name: "at the point of availability correct nodes holding f+1 shards store their slivers (§4)",
        reads: [chain, ...nodes],
        holds: (view) => !chainIn(view, layout, "certified") || storedShards(view) >= f + 1,
      },
    );
  }
  return properties;
}
