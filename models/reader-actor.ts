/**
 * A reader that reads one blob when the environment says (`Read`), from the committees it is
 * given: the actor the epoch-change and challenge models add to race a read against the protocol
 * they check. It reads with the implementation's defaults (n − 2f primary slivers, the `default`
 * consistency check).
 */

import type { ActorSpec } from "../checker/actors.js";
import type { Committee } from "../machines/committee.js";
import { readerMachine } from "../machines/reader.js";
import type { ActorName, BlobIdText } from "../spec/messages.js";

/** The reader actor `name` of `blobId`, certified in the first of `committees`, asking `nodes`. */
export function readerOnRead(
  name: ActorName,
  committees: readonly Committee[],
  blobId: BlobIdText,
  nodes: readonly ActorName[],
): ActorSpec {
  const first = committees[0] as Committee;
  return {
    name,
    machine: readerMachine,
    input: {
      name,
      committee: first,
      committees,
      certifiedEpoch: first.epoch,
      blobId,
      axis: "primary",
      consistency: "default",
      start: "onRead",
    },
    internalEvents: [{ type: "Read" }],
    sendsTo: nodes,
  };
}
