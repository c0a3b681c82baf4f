/**
 * The chain's epoch state machine one transition at a time, with xstate's `initialTransition()` and
 * `transition()`: the three states of `EpochState` in their order, the next committee's shard
 * assignment, the 2f + 1 shards of `epoch_sync_done` calls (each member once per epoch, members of
 * the new committee only). Certificates against the current committee are the chain's blob region's
 * (test/walrus-chain-with-epochs.test.ts).
 */

import { createActor } from "xstate";
import { describe, expect, it } from "vitest";
import { drive } from "./support/drive.js";
import type { Committee } from "../machines/committee.js";
import { type EpochSubscriber, epochsMachine, readCommittee } from "../machines/epochs.js";
import { TEN_SHARDS } from "./support/committees.js";

const committee: Committee = TEN_SHARDS;
// N2 leaves, N4 joins with 3 shards, N0 drops to 2: shards 2, 6, 7 move.
const counts = [
  { name: "N0", shards: 2 },
  { name: "N1", shards: 3 },
  { name: "N3", shards: 2 },
  { name: "N4", shards: 3 },
];
const subscribers: EpochSubscriber[] = [
  {
    name: "N0",
    events: ["EpochParametersSelected", "EpochChangeStart", "ShardsReceived", "EpochChangeDone"],
  },
  { name: "reader", events: ["EpochChangeDone"] },
];

/** The machine in epoch 2's `EpochChangeSync(0)`. */
function inSync() {
  const chain = drive(epochsMachine, { committee, subscribers });
  chain.step({ type: "VotingEnd", counts });
  chain.step({ type: "InitiateEpochChange" });
  return chain;
}

describe("epochs: EpochChangeDone → NextParamsSelected → EpochChangeSync → EpochChangeDone", () => {
  it("starts in EpochChangeDone with the genesis committee and nothing else", () => {
    const chain = drive(epochsMachine, { committee, subscribers });
    expect(chain.snapshot.value).toBe("EpochChangeDone");
    expect(chain.snapshot.context).toMatchObject({ committee, previousCommittee: null, nextCommittee: null });
    expect(chain.sent).toEqual([]);
  });

  it("voting_end selects the next committee, moving as few shards as possible; refused counts change nothing", () => {
    const chain = drive(epochsMachine, { committee, subscribers });
    chain.step({ type: "InitiateEpochChange" });
    expect([chain.snapshot.value, chain.sent]).toEqual(["EpochChangeDone", []]);
    chain.step({ type: "VotingEnd", counts: [...counts, { name: "N5", shards: 1 }] });
    expect([chain.snapshot.value, chain.sent]).toEqual(["EpochChangeDone", []]);
    chain.step({ type: "VotingEnd", counts });
    expect(chain.snapshot.value).toBe("NextParamsSelected");
    expect(chain.snapshot.context.committee).toEqual(committee);
    expect(chain.snapshot.context.nextCommittee).toEqual({
      epoch: 2,
      nShards: 10,
      members: [
        { name: "N0", shards: [0, 1] },
        { name: "N1", shards: [3, 4, 5] },
        { name: "N3", shards: [8, 9] },
        { name: "N4", shards: [2, 6, 7] },
      ],
    });
    expect(chain.sent).toEqual([{ to: "N0", type: "EpochParametersSelected", nextEpoch: 2, seq: 0 }]);
    // a second voting_end is not an entry point of NextParamsSelected
    chain.step({
      type: "VotingEnd",
      counts: committee.members.map((m) => ({ name: m.name, shards: m.shards.length })),
    });
    expect([chain.snapshot.value, chain.sent]).toEqual(["NextParamsSelected", []]);
  });

  it("initiate_epoch_change: the epoch advances, the committee becomes the previous one, the sync weight is 0", () => {
    const chain = inSync();
    expect(chain.snapshot.value).toBe("EpochChangeSync");
    const { context } = chain.snapshot;
    expect(context.committee.epoch).toBe(2);
    expect(context.committee.members.map((m: { name: string }) => m.name)).toEqual(["N0", "N1", "N3", "N4"]);
    expect(context.previousCommittee).toEqual(committee);
    expect([context.nextCommittee, context.weightAttested, context.syncDone]).toEqual([null, 0, []]);
    expect(chain.sent).toEqual([{ to: "N0", type: "EpochChangeStart", epoch: 2, seq: 1 }]);
  });

  it("epoch_sync_done: members of the new committee, current epoch, each once; done at 2f + 1 shards", () => {
    const chain = inSync();
    // refused: the left node (member of the previous committee only), an unknown node, another epoch
    for (const refused of [
      { node: "N2", epoch: 2 },
      { node: "N9", epoch: 2 },
      { node: "N4", epoch: 1 },
      { node: "N4", epoch: 3 },
    ]) {
      chain.step({ type: "EpochSyncDone", ...refused });
      expect([chain.snapshot.value, chain.sent, chain.snapshot.context.weightAttested]).toEqual([
        "EpochChangeSync",
        [],
        0,
      ]);
    }
    chain.step({ type: "EpochSyncDone", node: "N4", epoch: 2 });
    expect([chain.snapshot.value, chain.snapshot.context.weightAttested]).toEqual(["EpochChangeSync", 3]);
    expect(chain.sent).toEqual([{ to: "N0", type: "ShardsReceived", epoch: 2, shards: [2, 6, 7], seq: 2 }]);
    // a repeated call does not count twice: 3 + 3 would reach 6 + ... the quorum if it did
    chain.step({ type: "EpochSyncDone", node: "N4", epoch: 2 });
    expect([chain.snapshot.value, chain.sent, chain.snapshot.context.weightAttested]).toEqual([
      "EpochChangeSync",
      [],
      3,
    ]);
    chain.step({ type: "EpochSyncDone", node: "N1", epoch: 2 });
    expect([chain.snapshot.value, chain.snapshot.context.weightAttested]).toEqual(["EpochChangeSync", 6]);
    chain.step({ type: "EpochSyncDone", node: "N1", epoch: 2 });
    expect([chain.snapshot.value, chain.snapshot.context.weightAttested]).toEqual(["EpochChangeSync", 6]);
    // 6 + 2 = 8 ≥ 7
    chain.step({ type: "EpochSyncDone", node: "N0", epoch: 2 });
    expect([chain.snapshot.value, chain.snapshot.context.weightAttested]).toEqual(["EpochChangeDone", 8]);
    expect(chain.sent).toEqual([
      { to: "N0", type: "ShardsReceived", epoch: 2, shards: [0, 1], seq: 4 },
      { to: "N0", type: "EpochChangeDone", epoch: 2, seq: 5 },
      { to: "reader", type: "EpochChangeDone", epoch: 2, seq: 0 },
    ]);
    // a late member is recorded and announced, once, and changes nothing else
    chain.step({ type: "EpochSyncDone", node: "N3", epoch: 2 });
    expect(chain.snapshot.value).toBe("EpochChangeDone");
    expect(chain.snapshot.context.syncDone).toEqual(["N0", "N1", "N3", "N4"]);
    expect(chain.sent).toEqual([{ to: "N0", type: "ShardsReceived", epoch: 2, shards: [8, 9], seq: 6 }]);
    chain.step({ type: "EpochSyncDone", node: "N3", epoch: 2 });
    expect(chain.sent).toEqual([]);
  });

  it("2f shards of calls are not enough", () => {
    const chain = inSync();
    // N1 (3) + N3 (2) + N0 (2) would be 7; N1 + N3 = 5 < 7, then N4 (3) makes 8
    chain.step({ type: "EpochSyncDone", node: "N1", epoch: 2 });
    chain.step({ type: "EpochSyncDone", node: "N3", epoch: 2 });
    expect(chain.snapshot.value).toBe("EpochChangeSync");
    const weightSix = inSync();
    weightSix.step({ type: "EpochSyncDone", node: "N1", epoch: 2 });
    weightSix.step({ type: "EpochSyncDone", node: "N4", epoch: 2 });
    expect([weightSix.snapshot.value, weightSix.snapshot.context.weightAttested]).toEqual(["EpochChangeSync", 6]);
    weightSix.step({ type: "EpochSyncDone", node: "N3", epoch: 2 });
    expect(weightSix.snapshot.value).toBe("EpochChangeDone");
  });

  it("the next epoch: calls of the epoch before are forgotten, each member may call again", () => {
    const actor = createActor(epochsMachine, { input: { committee, subscribers } }).start();
    actor.send({ type: "VotingEnd", counts });
    actor.send({ type: "InitiateEpochChange" });
    for (const node of ["N0", "N1", "N4"]) actor.send({ type: "EpochSyncDone", node, epoch: 2 });
    expect(actor.getSnapshot().value).toBe("EpochChangeDone");
    actor.send({ type: "VotingEnd", counts });
    actor.send({ type: "InitiateEpochChange" });
    const { context } = actor.getSnapshot();
    expect([actor.getSnapshot().value, context.committee.epoch, context.syncDone]).toEqual(["EpochChangeSync", 3, []]);
    expect(context.previousCommittee?.epoch).toBe(2);
    // same counts: no shard moves from epoch 2 to epoch 3
    expect(context.committee.members).toEqual(context.previousCommittee?.members);
    actor.send({ type: "EpochSyncDone", node: "N4", epoch: 2 });
    expect(actor.getSnapshot().context.weightAttested).toBe(0);
    for (const node of ["N0", "N1", "N4"]) actor.send({ type: "EpochSyncDone", node, epoch: 3 });
    expect(actor.getSnapshot().value).toBe("EpochChangeDone");
    actor.stop();
  });
});

describe("read committee (active_committees.rs)", () => {
  it("during the sync, blobs certified before the epoch are read from the previous committee", () => {
    const chain = inSync();
    const { context } = chain.snapshot;
    expect(readCommittee(context, true, 1)).toEqual(committee);
    expect(readCommittee(context, true, 2)).toBe(context.committee);
    expect(readCommittee(context, false, 1)).toBe(context.committee);
  });
});
