/**
 * walrus-spec's protocol roles as xstate v5 machines (`walrus-spec/machines`): the storage node,
 * the writer, the reader and the chain (the control layer), with the committee they share and the
 * codec calls their guards and actions make. Each machine is pure: what it sends is data its
 * actions return, so the same definition runs under the checker and under `createActor`.
 *
 * The machines are exported by name; each module is also exported whole, as a namespace, for its
 * input, context and event types (`chain.ChainInput`, `storageNode.StorageNodeEvent`, …).
 *
 * @module
 */

export { chainMachine, createChainMachine } from "./chain.js";
export { chainWithEpochsMachine, createChainWithEpochsMachine } from "./chain-with-epochs.js";
export { challengeChainMachine } from "./challenge-chain.js";
export { epochDriverMachine } from "./epoch-driver.js";
export { createEpochsMachine, epochsMachine } from "./epochs.js";
export { readerMachine } from "./reader.js";
export {
  challengeStorageNodeMachine,
  createStorageNodeMachine,
  epochStorageNodeMachine,
  storageNodeMachine,
  threeBlobChallengeStorageNodeMachine,
  twoBlobEpochStorageNodeMachine,
} from "./node/index.js";
export { writerMachine } from "./writer.js";
export {
  type Addressed,
  CHAIN,
  type Committee,
  type CommitteeMember,
  memberOf,
  sendMessage,
  weightOf,
} from "./committee.js";

export * as chain from "./chain.js";
export * as chainEvents from "./chain-events.js";
export * as chainOrder from "./chain-order.js";
export * as chainWithEpochs from "./chain-with-epochs.js";
export * as challengeChain from "./challenge-chain.js";
export * as codec from "./codec.js";
export * as committee from "./committee.js";
export * as epochDriver from "./epoch-driver.js";
export * as epochs from "./epochs.js";
export * as nodeStatus from "./node/status.js";
export * as nodeShards from "./node/shards.js";
export * as reader from "./reader.js";
export * as shardAssignment from "./shard-assignment.js";
export * as storageNode from "./node/index.js";
export * as storageNodeContext from "./node/context.js";
export * as slivers from "./node/slivers.js";
export * as nodeChallenge from "./node/challenge.js";
export * as writer from "./writer.js";
