/**
 * The sections of the Walrus protocol that machines and properties say they follow, so that a
 * claim can be traced from the paper or the implementation to the code that models it and the
 * models that check it (docs/traceability.md).
 *
 * Numbered as the protocol notes this specification was written from number them (walrus-protocol.md:
 * §2 write, §3 read, §4 recovery, §5 challenges, §6 epoch change, §7 the chain). The paper's own
 * section numbers are only partly confirmed; where one is known it goes into a source's `detail`
 * (`paper Definition 1.2`). A section whose title names the paper describes the paper's protocol,
 * one that names the implementation the Walrus code.
 */

/** The Walrus repository whose files sources name, at the commit the protocol notes describe. */
export const WALRUS_REPOSITORY = "https://github.com/MystenLabs/walrus";
/** The commit of {@link WALRUS_REPOSITORY} that file links point at. */
export const WALRUS_COMMIT = "3c1cacc11c9292ed498f01f798cf790f02ea5062";

/** Section number → title. */
export const PROTOCOL_SECTIONS = {
  "1": "Roles, thresholds, properties",
  "1.2": "The model: epochs, shards, adversary, asynchronous network (paper §2)",
  "1.3": "Safety and liveness properties (paper Definition 1; the docs' point-of-availability properties)",
  "1.4": "Thresholds: where each quorum is used",
  "1.5": "Red Stuff encoding",
  "2": "Write",
  "2.1": "Write, paper: sliver pairs, 2f + 1 acknowledgements, the point of availability",
  "2.2": "Write, implementation: register, upload, confirmations, certify",
  "2.3": "What a node does when a blob is certified (blob sync)",
  "3": "Read, consistency, malicious writers",
  "3.1": "Read, paper: 2f + 1 secondary slivers, re-encoding check",
  "3.2": "Read, implementation: f + 1 primary slivers, default consistency check",
  "3.3": "Malicious writers and inconsistency proofs",
  "4": "Recovery (self-healing)",
  "4.1": "Sliver healing, paper: secondary from f + 1 symbols, then primary from 2f + 1",
  "4.2": "Recovery, implementation",
  "5": "Storage challenges",
  "5.1": "Fully asynchronous challenge, paper",
  "5.2": "Challenges in the whitepaper and older docs",
  "5.3": "Challenges in the implementation (none)",
  "6": "Epoch change",
  "6.1": "Reconfiguration, paper: writes to the new committee, reads from the old, shard migration",
  "6.2": "The chain's epoch states (staking)",
  "6.3": "Node status",
  "6.4": "Shard status",
  "6.5": "What a node does on EpochChangeStart",
  "6.6": "Events a node reacts to",
  "7": "On-chain control layer (Move)",
  "7.1": "Objects",
  "7.2": "Entry points",
  "7.3": "Events",
  "7.4": "Signed off-chain messages",
  "8": "Sizes and parameters",
} as const;

/** A section of {@link PROTOCOL_SECTIONS}. */
export type ProtocolSection = keyof typeof PROTOCOL_SECTIONS;

/**
 * What a machine module or a Walrus property follows: sections of the protocol, files of the
 * Walrus repository (a path, with `::item` where one item of the file is meant), and what in them
 * says it. The checker's `Source` (checker/model.ts) has the same shape with any section.
 */
export interface WalrusSource {
  readonly sections?: readonly ProtocolSection[];
  readonly files?: readonly string[];
  readonly detail?: string;
}
