/**
 * The guarantees of one blob's write and reads, as properties of the models of
 * models/write-read.ts. Each names its claim and its source; each is paired with a `sometimes`
 * witness, so that a property that holds only because nothing happens is reported as vacuous.
 *
 * An honest writer: read consistency and validity (paper Definition 1), availability after the
 * point of availability and the correct storage guarantee (docs `operations.mdx`), a certificate
 * only from a quorum of the epoch, no invalidation of a correctly encoded blob; with the node
 * properties, write completeness, encoding protection and what correct nodes store at the point of
 * availability. A malicious writer (an inconsistent encoding): read consistency "even if the writer
 * is Byzantine", read completion, and inconsistency detection. Each property carries its claim and
 * source (`claim`, `source`), from which docs/properties.md and docs/traceability.md are generated.
 *
 * The read and chain properties read only the readers and the chain; the node properties (write
 * completeness, encoding protection, what is stored) read every node, and are checked by the
 * models that ask for them.
 */

import { type SystemProperty, type SystemView, everyActor, ofParts, someActor } from "../checker/actors.js";
import type { ByteRef } from "../spec/store.js";
import type { Committee } from "../machines/committee.js";
import { type BlobView, blobView } from "../machines/node/index.js";
import { chainView } from "../machines/chain.js";
import { INVALID_BLOB_ID, readView } from "../machines/reader.js";
import { isAboveValidity, isQuorum, maxFaulty } from "../spec/params.js";

/** The Walrus docs' list of what holds after the point of availability. */
const OPERATIONS = "docs/content/system-overview/operations.mdx";
const SYSTEM_STATE = "contracts/walrus/sources/system/system_state_inner.move";

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
  /** Write completeness, encoding protection and what the nodes store (they read every node). */
  readonly nodes?: boolean;
}

const snapshot = (view: SystemView, layout: WriteReadLayout, name: string) => view.actors[layout.index(name)];
const chainOf = (view: SystemView, layout: WriteReadLayout) => chainView(snapshot(view, layout, layout.chain));
const chainIn = (view: SystemView, layout: WriteReadLayout, state: "certified" | "invalid") =>
  chainOf(view, layout).status === state;
/** What a reader returned: the blob's bytes, ⊥ (null), or nothing yet (undefined). */
const returned = (view: SystemView, layout: WriteReadLayout, reader: string): ByteRef | null | undefined =>
  readView(snapshot(view, layout, reader)).returned;

/** A correct node's view of the blob (undefined for a faulty node). */
const correctNode = (view: SystemView, layout: WriteReadLayout, name: string): BlobView | undefined =>
  view.status[layout.index(name)] === "correct" ? blobView(snapshot(view, layout, name)) : undefined;

/** Whether a node has seen the blob registered on chain (its own view, from the events it processed). */
const seesRegistration = (view: SystemView, layout: WriteReadLayout, name: string) =>
  blobView(snapshot(view, layout, name)).chainStatus !== "awaitingRegistration";

/** A correct node that stores verified slivers of all its shards. */
const storesItsSlivers = (view: SystemView, layout: WriteReadLayout, name: string): boolean =>
  correctNode(view, layout, name)?.storesEverything === true;

const shardsOf = (layout: WriteReadLayout, name: string) =>
  layout.committee.members.find((member) => member.name === name)?.shards.length ?? 0;

/** What the readers must do when the writer is honest: return the blob written. */
function honestReads(layout: WriteReadLayout): SystemProperty[] {
  const { readers } = layout;
  if (readers.length === 0) return [];
  const readBlob = (view: SystemView, reader: string) => returned(view, layout, reader) === layout.blob;
  return [
    {
      kind: "always",
      id: "read-consistency",
      name: "read consistency (Definition 1.2): a read that returns a blob returns the blob written",
      claim:
        "Two honest readers of a successfully written blob both return it or both return ⊥; with an honest writer, a read that returns a blob returns the blob written.",
      source: { sections: ["1.3", "3.1"], detail: "paper Definition 1.2 (Read Consistency)" },
      ...everyActor(readers, (view, reader) => {
        const result = returned(view, layout, reader);
        return result === undefined || result === null || result === layout.blob;
      }),
    },
    {
      kind: "always",
      id: "validity",
      name: "validity (Definition 1.3): a read of a blob an honest writer wrote never returns ⊥",
      claim: "If an honest writer successfully writes a blob, an honest reader holding its commitment reads it.",
      source: { sections: ["1.3", "3.1"], detail: "paper Definition 1.3 (Validity)" },
      ...everyActor(readers, (view, reader) => returned(view, layout, reader) !== null),
    },
    {
      kind: "eventually",
      id: "availability-after-poa",
      name: "availability after the point of availability: every read returns the blob written",
      claim: "After the point of availability every read of a correct user's blob terminates and returns the blob.",
      source: {
        sections: ["1.3", "3.2"],
        files: [OPERATIONS],
        detail: "read completion and correct blob retrieval after the PoA",
      },
      ...everyActor(readers, readBlob),
    },
    {
      kind: "sometimes",
      id: "witness-all-read-blob",
      name: "witness: every reader returns the blob written",
      claim: "The honest-writer read properties are not vacuous: every reader returns the blob.",
      source: { sections: ["3.1", "3.2"] },
      ...everyActor(readers, readBlob),
    },
  ];
}

/** What the readers and the nodes must do whatever the writer: agree, finish, and expose an inconsistent encoding. */
function maliciousReads(layout: WriteReadLayout): SystemProperty[] {
  const { readers } = layout;
  // A read that returns ⊥ says why, as the client's errors do: the blob ID is invalid, or what
  // the nodes served does not decode to the blob.
  const bottomBecause = (invalid: boolean) => (view: SystemView, reader: string) => {
    const why = readView(snapshot(view, layout, reader)).bottom;
    return returned(view, layout, reader) === null && typeof why === "string" && (why === INVALID_BLOB_ID) === invalid;
  };
  return [
    {
      kind: "always",
      id: "read-consistency-byzantine-writer",
      name: "read consistency (Definition 1.2) with a Byzantine writer: readers that return, return the same",
      claim:
        "Read consistency holds even if the writer is Byzantine: readers that return, return the same bytes or both ⊥.",
      source: { sections: ["1.3", "3.1", "3.3"], detail: "paper Definition 1.2, 'even if the writer is Byzantine'" },
      reads: [...readers],
      holds: (view) => {
        const results = readers.map((reader) => returned(view, layout, reader)).filter((r) => r !== undefined);
        return results.every((result) => result === results[0]);
      },
    },
    {
      kind: "eventually",
      id: "read-completion",
      name: "read completion: every read returns, a blob or ⊥",
      claim: "After the point of availability a correct reader terminates, with the blob or ⊥ (None).",
      source: { sections: ["1.3", "3.3"], files: [OPERATIONS], detail: "read completion" },
      ...everyActor(readers, (view, reader) => returned(view, layout, reader) !== undefined),
    },
    {
      kind: "sometimes",
      id: "witness-all-read-bottom",
      name: "witness: every reader returns ⊥",
      claim: "Reads of an inconsistently encoded blob are not vacuous: every reader returns ⊥.",
      source: { sections: ["3.3"] },
      ...everyActor(readers, (view, reader) => returned(view, layout, reader) === null),
    },
    {
      kind: "sometimes",
      id: "witness-bottom-before-invalidation",
      name: "witness: a reader returns ⊥ from what nodes serve, before the invalidation reaches it",
      claim: "A reader's own consistency check rejects the inconsistent encoding before the chain invalidates it.",
      source: { sections: ["3.1", "3.2", "3.3"] },
      ...someActor(readers, bottomBecause(false)),
    },
    {
      kind: "sometimes",
      id: "witness-bottom-invalid-id",
      name: "witness: a reader returns ⊥ because the blob ID is invalid",
      claim: "A reader returns ⊥ because the chain marked the blob ID invalid (reads of an invalid blob return None).",
      source: { sections: ["3.3"], files: [OPERATIONS], detail: "inconsistent blob handling" },
      ...someActor(readers, bottomBecause(true)),
    },
  ];
}

/** Who attested the blob ID invalid, as the chain recorded with the invalidation. */
const attesters = (view: SystemView, layout: WriteReadLayout) => chainOf(view, layout).invalidatedBy;

/** What happens to an inconsistent encoding on chain: it is proven and invalidated. */
function invalidation(layout: WriteReadLayout): SystemProperty[] {
  const invalidated = (view: SystemView) => chainIn(view, layout, "invalid");
  return [
    {
      kind: "eventually",
      id: "inconsistency-detection",
      name: "inconsistency detection: a correct node that cannot recover proves it, and the chain invalidates the blob ID",
      claim:
        "A correct node that cannot recover its sliver produces an inconsistency proof, and the blob ID is invalidated on chain.",
      source: {
        sections: ["1.3", "3.3"],
        files: [OPERATIONS, "crates/walrus-core/src/inconsistency.rs"],
        detail: "inconsistency detection",
      },
      reads: [layout.chain],
      holds: invalidated,
    },
    {
      kind: "sometimes",
      id: "witness-invalidated",
      name: "witness: the chain invalidates the blob ID",
      claim: "Inconsistency detection is not vacuous: the chain invalidates the blob ID.",
      source: { sections: ["3.3", "7.2"], files: [`${SYSTEM_STATE}::invalidate_blob_id`] },
      reads: [layout.chain],
      holds: invalidated,
    },
    {
      kind: "always",
      id: "invalidation-needs-f-plus-1",
      name: "the chain invalidates only with attestations from more than f shards of the epoch",
      claim:
        "A blob ID is invalidated only on attestations of f + 1 shards of the current committee, so that one of them is a correct node's; the chain keeps who attested. The contract's rule, 3w ≥ n + 1, asks one shard more when 3 divides n; what must hold is f + 1.",
      source: {
        sections: ["3.3", "7.2"],
        files: [`${SYSTEM_STATE}::invalidate_blob_id`],
        detail:
          "invalidate_blob_id requires attestations that include a correct node (includes_one_correct_node: 3w ≥ n + 1)",
      },
      reads: [layout.chain],
      holds: (view) =>
        !invalidated(view) ||
        isAboveValidity(
          attesters(view, layout).reduce((sum, name) => sum + shardsOf(layout, name), 0),
          layout.committee.nShards,
        ),
    },
    {
      kind: "sometimes",
      id: "witness-invalidation-by-finder",
      name: "witness: the invalidation on chain carries the attestation of the node that found the inconsistency",
      claim:
        "The node that proves an inconsistency attests to it first (its own attestation counts), and the chain's invalidation names it.",
      source: {
        sections: ["3.3"],
        files: ["crates/walrus-service/src/node.rs"],
        detail: "inconsistency proof and attestation",
      },
      // Its parts: the chain's invalidation and whom it names, and what each node found.
      ...ofParts<string>(
        {
          invalidated: { actor: layout.chain, holds: invalidated },
          ...Object.fromEntries(
            layout.nodes.flatMap((name) => [
              [
                `names ${name}`,
                { actor: layout.chain, holds: (view: SystemView) => attesters(view, layout).includes(name) },
              ],
              [
                `found ${name}`,
                {
                  actor: name,
                  holds: (view: SystemView) => correctNode(view, layout, name)?.foundInconsistency === true,
                },
              ],
            ]),
          ),
        },
        (value) =>
          value("invalidated") && layout.nodes.some((name) => value(`names ${name}`) && value(`found ${name}`)),
      ),
    },
  ];
}

/** What a correct node does once the blob ID is invalid: keep nothing of it (`process_blob_invalid_event`). */
function deletedOnInvalidation(layout: WriteReadLayout): SystemProperty {
  return {
    kind: "always",
    id: "invalid-blob-deleted",
    name: "a correct node that sees the blob ID invalidated keeps no sliver of it",
    claim:
      "A node that processes the invalid-blob event deletes the blob's slivers (and answers ⊥ from then on): nothing of an invalid blob stays stored.",
    source: {
      sections: ["3.3"],
      files: ["crates/walrus-service/src/node.rs"],
      detail: "process_blob_invalid_event",
    },
    ...everyActor(layout.nodes, (view, name) => {
      const node = correctNode(view, layout, name);
      return node === undefined || node.chainStatus !== "invalid" || node.storesNothing;
    }),
  };
}

/** What correct nodes hold: write completeness, encoding protection, storage at the point of availability. */
function nodeProperties(layout: WriteReadLayout): SystemProperty[] {
  const { chain, nodes } = layout;
  const f = maxFaulty(layout.committee.nShards);
  return [
    {
      kind: "eventually",
      id: "write-completeness",
      name: "write completeness (Definition 1.1): every correct node stores the slivers of all its shards",
      claim:
        "If the writer is honest, every honest node eventually holds its part of the blob (here: the slivers of all its shards).",
      source: { sections: ["1.3", "2.1", "4.1"], detail: "paper Definition 1.1 (Write Completeness)" },
      ...everyActor(
        nodes,
        (view, name) => correctNode(view, layout, name) === undefined || storesItsSlivers(view, layout, name),
      ),
    },
    {
      kind: "always",
      id: "encoding-protection",
      name: "encoding protection: no correct node finds or attests an inconsistency proof for a correctly encoded blob",
      claim: "No inconsistency proof can exist for a correctly encoded blob.",
      source: { sections: ["1.3", "3.3"], files: [OPERATIONS], detail: "encoding protection" },
      ...everyActor(nodes, (view, name) => {
        const node = correctNode(view, layout, name);
        return node === undefined || (!node.foundInconsistency && !node.attested);
      }),
    },
    {
      kind: "always",
      id: "no-sliver-before-registration",
      name: "a correct node stores no sliver of a blob before it sees the blob registered",
      claim:
        "A storage node accepts a blob's slivers only once it has seen the blob registered on chain (its storage paid for); an upload that comes earlier waits for the registration. Not vacuous: a node that stores such an upload at once (the mutant storageNode.blobRegistered:always, docs/rule-coverage.md) breaks it.",
      source: {
        sections: ["2.1"],
        files: ["crates/walrus-service/src/node.rs"],
        detail: "write step 3: a node stores the slivers of a registered blob only",
      },
      ...everyActor(nodes, (view, name) => {
        const node = correctNode(view, layout, name);
        return node === undefined || seesRegistration(view, layout, name) || node.storesNothing;
      }),
    },
    {
      kind: "sometimes",
      id: "witness-recovered-slivers",
      name: "witness: a correct node stores slivers it recovered (never uploaded to it)",
      claim:
        "Write completeness is not vacuous: a node that was never sent its slivers recovers them (sliver healing).",
      source: { sections: ["4.1", "4.2"] },
      ...someActor(
        nodes,
        (view, name) => storesItsSlivers(view, layout, name) && correctNode(view, layout, name)?.uploader === null,
      ),
    },
    {
      kind: "always",
      id: "poa-f-plus-1-stored",
      name: "at the point of availability correct nodes holding f+1 shards store their slivers (§4)",
      claim:
        "Of the 2f + 1 shards that signed the certificate, the f + 1 held by correct nodes store their slivers: what write completeness builds on.",
      source: {
        sections: ["2.1"],
        detail: "write step 6: of the 2f + 1 signers, f + 1 are honest and hold their slivers",
      },
      // Its parts: the chain's certificate, and whether each node stores its slivers.
      ...ofParts<string>(
        {
          certified: { actor: chain, holds: (view) => chainIn(view, layout, "certified") },
          ...Object.fromEntries(
            nodes.map((name) => [
              `stores ${name}`,
              { actor: name, holds: (view: SystemView) => storesItsSlivers(view, layout, name) },
            ]),
          ),
        },
        (value) =>
          !value("certified") ||
          nodes.reduce((sum, name) => sum + (value(`stores ${name}`) ? shardsOf(layout, name) : 0), 0) >= f + 1,
      ),
    },
  ];
}

/** The properties of a write-read model. */
export function writeReadProperties(layout: WriteReadLayout, options: WriteReadPropertyOptions = {}): SystemProperty[] {
  const { chain } = layout;
  const n = layout.committee.nShards;
  const certifiedWithQuorum: SystemProperty = {
    kind: "always",
    id: "certification-quorum",
    name: "the chain certifies only with confirmations from a quorum (2f+1 shards) of the epoch",
    claim: "A blob is certified only with storage confirmations of 2f + 1 shards of the current committee.",
    source: {
      sections: ["1.4", "2.2", "7.2"],
      files: [`${SYSTEM_STATE}::certify_blob`, "contracts/walrus/sources/system/bls_aggregate.move::is_quorum"],
    },
    reads: [chain],
    holds: (view) => {
      if (!chainIn(view, layout, "certified")) return true;
      const { signers } = chainOf(view, layout);
      return isQuorum(
        signers.reduce((sum, name) => sum + shardsOf(layout, name), 0),
        n,
      );
    },
  };
  // With readers, a malicious writer's model checks what they return; the chain's invalidation is
  // the detection models' property.
  if (!layout.honestWriter) {
    return layout.readers.length > 0
      ? maliciousReads(layout)
      : [...invalidation(layout), deletedOnInvalidation(layout), certifiedWithQuorum];
  }
  return [
    ...honestReads(layout),
    {
      kind: "eventually",
      id: "correct-storage",
      name: "correct storage guarantee: an honest writer's blob reaches its point of availability",
      claim: "A correct user can always drive a store to its point of availability.",
      source: { sections: ["1.3", "2.2"], files: [OPERATIONS], detail: "correct storage guarantee" },
      reads: [chain],
      holds: (view) => chainIn(view, layout, "certified"),
    },
    certifiedWithQuorum,
    ...(layout.invalidation
      ? [
          {
            kind: "always" as const,
            id: "no-false-invalidation",
            name: "the chain never invalidates a correctly encoded blob (f+1 attestations include a correct node)",
            claim:
              "The chain invalidates a blob ID only with attestations that include a correct node (f + 1 shards at least; the contract's 3w ≥ n + 1): never for a correctly encoded blob.",
            source: {
              sections: ["3.3", "7.2"],
              files: [`${SYSTEM_STATE}::invalidate_blob_id`],
              detail: "verify_one_correct_node_in_epoch",
            },
            reads: [chain],
            holds: (view: SystemView) => !chainIn(view, layout, "invalid"),
          },
        ]
      : []),
    {
      kind: "sometimes",
      id: "witness-certified",
      name: "witness: the blob is certified (the point of availability)",
      claim: "The chain properties are not vacuous: the blob reaches its point of availability.",
      source: { sections: ["2.1", "2.2"] },
      reads: [chain],
      holds: (view) => chainIn(view, layout, "certified"),
    },
    ...(options.nodes ? nodeProperties(layout) : []),
  ];
}
