/**
 * Node and shard status: every pair of statuses, listed here by hand from the implementation's
 * tables (not read back from the module), is allowed or refused with a typed error.
 */

import { createActor, initialTransition, transition } from "xstate";
import { describe, expect, it } from "vitest";
import {
  NODE_STATUS_KINDS,
  type NodeStatus,
  type NodeStatusEvent,
  type NodeStatusKind,
  SHARD_STATUSES,
  type ShardStatus,
  acceptsWrites,
  isOwned,
  nodeStatusCanTransitionTo,
  nodeStatusMachine,
  nodeStatusOf,
  shardStatusCanTransitionTo,
  shardStatusForApi,
  shardStatusMachine,
  transitionNodeStatus,
  transitionShardStatus,
  SHARD_STATUS_EVENTS,
} from "../machines/node-status.js";
import { IllegalTransitionError, WalrusSpecError } from "../spec/errors.js";

const example: Record<NodeStatusKind, NodeStatus> = {
  Standby: { kind: "Standby" },
  Active: { kind: "Active" },
  RecoverMetadata: { kind: "RecoverMetadata" },
  RecoveryCatchUp: { kind: "RecoveryCatchUp" },
  RecoveryCatchUpWithIncompleteHistory: {
    kind: "RecoveryCatchUpWithIncompleteHistory",
    firstCompleteEpoch: 4,
    epochAtStart: 7,
  },
  RecoveryInProgress: { kind: "RecoveryInProgress", epoch: 7 },
};

/** The legal changes between different node statuses. */
const legalNodeChanges = new Set([
  "Standby → RecoverMetadata",
  "Standby → RecoveryCatchUp",
  "Standby → RecoveryCatchUpWithIncompleteHistory",
  "Active → Standby",
  "Active → RecoveryCatchUp",
  "RecoverMetadata → Active",
  "RecoverMetadata → Standby",
  "RecoverMetadata → RecoveryCatchUp",
  "RecoveryCatchUp → Standby",
  "RecoveryCatchUp → RecoverMetadata",
  "RecoveryCatchUp → RecoveryInProgress",
  "RecoveryCatchUpWithIncompleteHistory → Standby",
  "RecoveryCatchUpWithIncompleteHistory → RecoverMetadata",
  "RecoveryCatchUpWithIncompleteHistory → RecoveryInProgress",
  "RecoveryInProgress → Active",
  "RecoveryInProgress → Standby",
  "RecoveryInProgress → RecoveryCatchUp",
]);

/** The legal changes of shard status. */
const legalShardChanges = new Set([
  "None → Active",
  "None → ActiveSync",
  "Active → LockedToMove",
  "ActiveSync → ActiveRecover",
  "ActiveSync → Active",
  "ActiveSync → LockedToMove",
  "ActiveRecover → Active",
  "ActiveRecover → ActiveSync",
  "ActiveRecover → LockedToMove",
]);

describe("NodeStatus", () => {
  it("has the six statuses of the implementation", () => {
    expect(NODE_STATUS_KINDS).toEqual(Object.keys(example));
  });

  for (const from of NODE_STATUS_KINDS) {
    for (const to of NODE_STATUS_KINDS) {
      const change = `${from} → ${to}`;
      const legal = from === to || legalNodeChanges.has(change);
      it(`${change}: ${legal ? "allowed" : "refused"}`, () => {
        expect(nodeStatusCanTransitionTo(example[from], example[to])).toBe(legal);
        if (legal) {
          expect(transitionNodeStatus(example[from], example[to])).toBe(example[to]);
        } else {
          let error: unknown;
          try {
            transitionNodeStatus(example[from], example[to]);
          } catch (caught) {
            error = caught;
          }
          expect(error).toBeInstanceOf(IllegalTransitionError);
          expect(error).toBeInstanceOf(WalrusSpecError);
          expect(error).toMatchObject({ code: "ILLEGAL_TRANSITION", of: "NodeStatus", from, to });
        }
      });
    }
  }

  it("RecoveryInProgress moves its target epoch by rewriting the same status", () => {
    const later = transitionNodeStatus(example.RecoveryInProgress, { kind: "RecoveryInProgress", epoch: 8 });
    expect(later).toEqual({ kind: "RecoveryInProgress", epoch: 8 });
  });

  it("a new member that fell behind can only become Active through metadata recovery", () => {
    // Standby → Active is not a change the node makes: it recovers the metadata first
    expect(() => transitionNodeStatus(example.Standby, example.Active)).toThrow(IllegalTransitionError);
    const path: NodeStatus[] = [example.Standby, example.RecoveryCatchUp, example.RecoverMetadata, example.Active];
    path.reduce((from, to) => transitionNodeStatus(from, to));
  });
});

describe("ShardStatus", () => {
  for (const from of SHARD_STATUSES) {
    for (const to of SHARD_STATUSES) {
      const change = `${from} → ${to}`;
      const legal = legalShardChanges.has(change);
      it(`${change}: ${legal ? "allowed" : "refused"}`, () => {
        expect(shardStatusCanTransitionTo(from, to)).toBe(legal);
        if (legal) expect(transitionShardStatus(from, to)).toBe(to);
        else {
          expect(() => transitionShardStatus(from, to)).toThrow(IllegalTransitionError);
          expect(() => transitionShardStatus(from, to)).toThrow(`ShardStatus: ${from} cannot become ${to}`);
        }
      });
    }
  }

  it("owned shards take writes, a locked shard does not; the API's names", () => {
    const table = SHARD_STATUSES.map((status: ShardStatus) => [
      status,
      isOwned(status),
      acceptsWrites(status),
      shardStatusForApi(status),
    ]);
    expect(table).toEqual([
      ["None", false, false, "Unknown"],
      ["Active", true, true, "Ready"],
      ["ActiveSync", true, true, "InTransfer"],
      ["ActiveRecover", true, true, "InRecovery"],
      ["LockedToMove", false, false, "ReadOnly"],
    ]);
  });
});

describe("nodeStatusMachine", () => {
  const events: NodeStatusEvent[] = [
    ...(["NewMember", "ContinuingMember", "NotMember"] as const).flatMap((membership) => [
      { type: "EpochChangeStart", epoch: 5, membership } as const,
      { type: "CaughtUp", epoch: 6, membership } as const,
    ]),
    { type: "LagDetected" },
    { type: "LagDetectedWithIncompleteHistory", firstCompleteEpoch: 2, epochAtStart: 6 },
    { type: "MetadataRecovered" },
    { type: "NodeRecoveryComplete" },
  ];

  /** Every change of status the machine makes from any status it reaches, by any event. */
  function explore() {
    const [initial] = initialTransition(nodeStatusMachine);
    const seen = new Map<string, typeof initial>([[JSON.stringify(initial.value), initial]]);
    const queue = [initial];
    const steps: { from: NodeStatus; to: NodeStatus; event: NodeStatusEvent }[] = [];
    while (queue.length > 0) {
      const snapshot = queue.shift() as typeof initial;
      for (const event of events) {
        const [next] = transition(nodeStatusMachine, snapshot, event);
        steps.push({ from: nodeStatusOf(snapshot), to: nodeStatusOf(next), event });
        const key = JSON.stringify(next.value);
        if (!seen.has(key)) {
          seen.set(key, next);
          queue.push(next);
        }
      }
    }
    return { reached: [...seen.keys()].map((key) => JSON.parse(key)), steps };
  }

  it("reaches every status from Standby", () => {
    expect(explore().reached.sort()).toEqual([...NODE_STATUS_KINDS].sort());
  });

  it("every change it makes is legal, and it makes every legal change of the table", () => {
    const { steps } = explore();
    for (const { from, to } of steps) expect(nodeStatusCanTransitionTo(from, to)).toBe(true);
    const taken = new Set(
      steps.filter(({ from, to }) => from.kind !== to.kind).map(({ from, to }) => `${from.kind} → ${to.kind}`),
    );
    expect([...taken].sort()).toEqual([...legalNodeChanges].sort());
  });

  it("a new member recovers the metadata, then is Active; leaving makes it Standby", () => {
    const actor = createActor(nodeStatusMachine).start();
    actor.send({ type: "EpochChangeStart", epoch: 1, membership: "NewMember" });
    expect(actor.getSnapshot().value).toBe("RecoverMetadata");
    actor.send({ type: "EpochChangeStart", epoch: 2, membership: "ContinuingMember" });
    expect(actor.getSnapshot().value).toBe("RecoverMetadata");
    actor.send({ type: "MetadataRecovered" });
    actor.send({ type: "EpochChangeStart", epoch: 3, membership: "ContinuingMember" });
    expect(actor.getSnapshot().value).toBe("Active");
    actor.send({ type: "EpochChangeStart", epoch: 4, membership: "NotMember" });
    expect(actor.getSnapshot().value).toBe("Standby");
    actor.stop();
  });

  it("a lagging continuing member catches up, recovers up to the epoch, and the target moves with the epochs", () => {
    const actor = createActor(nodeStatusMachine).start();
    actor.send({ type: "LagDetectedWithIncompleteHistory", firstCompleteEpoch: 3, epochAtStart: 9 });
    expect(nodeStatusOf(actor.getSnapshot())).toEqual({
      kind: "RecoveryCatchUpWithIncompleteHistory",
      firstCompleteEpoch: 3,
      epochAtStart: 9,
    });
    actor.send({ type: "CaughtUp", epoch: 9, membership: "ContinuingMember" });
    expect(nodeStatusOf(actor.getSnapshot())).toEqual({ kind: "RecoveryInProgress", epoch: 9 });
    actor.send({ type: "EpochChangeStart", epoch: 10, membership: "ContinuingMember" });
    expect(nodeStatusOf(actor.getSnapshot())).toEqual({ kind: "RecoveryInProgress", epoch: 10 });
    actor.send({ type: "MetadataRecovered" });
    expect(actor.getSnapshot().value).toBe("RecoveryInProgress");
    actor.send({ type: "NodeRecoveryComplete" });
    expect(nodeStatusOf(actor.getSnapshot())).toEqual({ kind: "Active" });
    actor.stop();
  });
});

describe("shardStatusMachine", () => {
  const events = SHARD_STATUS_EVENTS;

  it("reaches every status, and its changes are exactly the table's", () => {
    const [initial] = initialTransition(shardStatusMachine);
    const seen = new Map([[initial.value as string, initial]]);
    const queue = [initial];
    const taken = new Set<string>();
    while (queue.length > 0) {
      const snapshot = queue.shift() as typeof initial;
      for (const event of events) {
        const [next] = transition(shardStatusMachine, snapshot, event);
        const from = snapshot.value as ShardStatus;
        const to = next.value as ShardStatus;
        if (from === to) continue;
        expect(shardStatusCanTransitionTo(from, to)).toBe(true);
        taken.add(`${from} → ${to}`);
        if (!seen.has(to)) {
          seen.set(to, next);
          queue.push(next);
        }
      }
    }
    expect([...seen.keys()].sort()).toEqual([...SHARD_STATUSES].sort());
    expect([...taken].sort()).toEqual([...legalShardChanges].sort());
  });

  it("a gained shard whose transfer left blobs out is recovered, then Active; lost later, it is locked for good", () => {
    const actor = createActor(shardStatusMachine).start();
    for (const type of ["StartShardSync", "RecoverMissingBlobs", "ShardSyncDone"] as const) actor.send({ type });
    expect(actor.getSnapshot().value).toBe("Active");
    actor.send({ type: "LockForEpochChange" });
    expect(actor.getSnapshot().status).toBe("done");
    actor.send({ type: "ForceActive" });
    expect(actor.getSnapshot().value).toBe("LockedToMove");
  });
});
