/**
 * The fully asynchronous storage challenge (paper §5) over the real codec, by seeded simulation:
 * every message of four nodes interleaves, which is beyond an exhaustive search in a test. The
 * counts of distinct states the walks meet are pinned, and so is the finding: a node that threw
 * its slivers away rebuilds them from nodes that have not yet seen the challenge start, and passes.
 */

import { describe, expect, it } from "vitest";
import type { SystemState } from "../checker/actors.js";
import { followActionPath } from "../checker/path.js";
import { type SimulationReport, simulate } from "../checker/simulate.js";
import {
  type StorageNodeInput,
  blobView,
  challengeStorageNodeMachine,
  challengeView,
  threeBlobChallengeStorageNodeMachine,
} from "../machines/node/index.js";
import { pairOfShard, putSliver, recoverySymbolsFor } from "../machines/codec.js";
import { CHALLENGED_BLOB, LIGHTWEIGHT_BLOBS, challenge } from "../models/challenge.js";
import { challengeChainMachine } from "../machines/challenge-chain.js";
import type { StorageNodeContext } from "../machines/node/context.js";
import { challengeProperties } from "../properties/challenge.js";
import { coinFromSeed, selectChallengedBlobs } from "../spec/challenge-coin.js";
import { blobIdToString, encodeBlob, encodeMetadataWithId, sliverIndexOf } from "../spec/index.js";
import { getBytes, putBytes } from "../spec/store.js";
import { drive } from "./support/drive.js";
import { findModel } from "../models/index.js";
import { ModelError } from "../checker/errors.js";
import { InvalidParametersError } from "../spec/errors.js";
import { blobIdFromString } from "../spec/commitments/blob-id.js";

const broken = (report: SimulationReport) =>
  report.properties.filter((p) => p.kind !== "sometimes" && !p.holds).map((p) => p.name.split(":")[0]);
const unreached = (report: SimulationReport) =>
  report.properties.filter((p) => p.kind === "sometimes" && !p.holds).map((p) => p.name);

/** Four nodes of one shard each, as the machine-level tests drive them. */
const n = 4;
const committee = {
  epoch: 1,
  nShards: n,
  members: [0, 1, 2, 3].map((shard) => ({ name: `N${shard}`, shards: [shard] })),
};

const build = (name: string) => {
  const entry = findModel(name);
  if (entry === undefined) throw new Error(`no model ${name}`);
  return entry.build();
};

describe("the storage challenge by seeded simulation (200 walks, seed 1)", () => {
  // The challenge ends once certificates cover 2f + 1 shards; a correct node still answering then
  // has failed it, so "every correct node obtains a certificate" breaks while everything else holds.
  it.each([
    ["challenge-4", 8_286],
    ["challenge-4-crash", 2_999],
  ])("%s: every property but a certificate for every correct node holds; %i distinct states", (name, states) => {
    const report = simulate(build(name), { runs: 200, seed: 1, maxDepth: 400 });
    expect([report.terminalWalks, report.uniqueStates]).toEqual([200, states]);
    expect([broken(report), unreached(report)]).toEqual([
      ["every correct node that stores its slivers obtains a certificate"],
      [],
    ]);
  });

  it("challenge-4-deleted: N3 rebuilds its slivers from two nodes that had not seen the challenge start, and passes", () => {
    const model = challenge({ deleted: ["N3"] });
    const report = simulate(model, { runs: 200, seed: 1, maxDepth: 400 });
    expect(broken(report)).toEqual(["soundness"]);
    const soundness = report.properties.find((p) => p.name.startsWith("soundness"));
    if (soundness?.kind !== "always" || soundness.holds) throw new Error("expected a violation");
    const path = followActionPath(model, soundness.trace);
    const last = model.view(path.steps[path.steps.length - 1].state as SystemState);
    const at = (name: string) => model.actors.findIndex((actor) => actor.name === name);
    expect(last.actors[at("chain")].context.certified).toContain("N3");
    // N3 holds its slivers again: rebuilt, by the node's own healing, from what two correct nodes answered.
    expect(blobView(last.actors[at("N3")]).storesEverything).toBe(true);
    const answered = soundness.labels.filter((label) => /^N[0-2] → N3: RecoverySymbolResponse/.test(label));
    expect(answered.length).toBe(2);
    // Each of them answered before it processed the challenge start.
    for (const label of answered) {
      const node = label.slice(0, 2);
      const start = soundness.labels.indexOf(`chain → ${node}: ChallengeStart {"epoch":1,"seq":0}`);
      const request = soundness.labels.findIndex((l) => l.startsWith(`N3 → ${node}: RecoverySymbolRequest`));
      expect(request).toBeGreaterThanOrEqual(0);
      expect(start === -1 || request < start).toBe(true);
    }
  });

  // How many correct nodes must answer the cheater before they see the challenge start: by
  // recovery 2f (its rebuilt secondary sliver gives it one symbol of its primary one), by the
  // implementation's read n − 2f = f + 1 primary slivers, by the paper's read n − f = 2f + 1.
  it.each([
    ["challenge-4-deleted", "RecoverySymbolResponse", 2, 8_141],
    ["challenge-4-deleted-primary-read", "ReadResponse", 2, 8_141],
    ["challenge-4-deleted-secondary-read", "ReadResponse", 3, 7_925],
  ])("%s: the cheater passes once %s from %i nodes reach it first", (name, answer, answers, states) => {
    const report = simulate(build(name), { runs: 200, seed: 1, maxDepth: 400 });
    expect([broken(report), report.uniqueStates]).toEqual([["soundness"], states]);
    const soundness = report.properties.find((p) => p.name.startsWith("soundness"));
    if (soundness?.kind !== "always" || soundness.holds) throw new Error("expected a violation");
    const pattern = new RegExp(`^N[0-2] → N3: ${answer}`);
    expect(soundness.labels.filter((label) => pattern.test(label)).length).toBe(answers);
  });

  it("challenge-4-one-node: the others' certificates may land first, and N3, correct, fails the challenge", () => {
    const report = simulate(build("challenge-4-one-node"), { runs: 200, seed: 1, maxDepth: 400 });
    expect(report.terminalWalks).toBe(200);
    expect([broken(report), unreached(report)]).toEqual([
      ["every correct node that stores its slivers obtains a certificate"],
      [],
    ]);
  });

  it("bad parameters are a ModelError", () => {
    expect(() => challenge({ deleted: ["N9"] })).toThrow(ModelError);
    expect(() => challenge({ lightweight: { challenged: 2, coins: [0] } })).toThrow(/1 to 1 blobs per node/);
    expect(() => challenge({ blobs: LIGHTWEIGHT_BLOBS, lightweight: { challenged: 1, coins: [] } })).toThrow(
      ModelError,
    );
    expect(() => challenge({ blobs: LIGHTWEIGHT_BLOBS, lightweight: { challenged: 1, coins: [-1] } })).toThrow(
      ModelError,
    );
    expect(() => challenge({ blobs: LIGHTWEIGHT_BLOBS, deleted: ["N3"], deletedBlobs: [3] })).toThrow(/no blob 3/);
    expect(() => challenge({ blobs: LIGHTWEIGHT_BLOBS, reader: 5 })).toThrow(/no blob 5 to read/);
    expect(() => challenge({ blobs: [CHALLENGED_BLOB, CHALLENGED_BLOB] })).toThrow(/same contents/);
    expect(() => challenge({ deleted: ["N3"], byzantine: ["N3"] })).toThrow(ModelError);
    expect(() => challenge({ shards: [1, 1, 1] })).toThrow(ModelError);
  });
});

describe("the lightweight challenge by seeded simulation (200 walks, seed 1)", () => {
  it("challenge-4-lightweight: N3 passes without blob 1 when the coin misses it, is caught when it does not, and blob 2 is read during the challenge", () => {
    const report = simulate(build("challenge-4-lightweight"), { runs: 200, seed: 1, maxDepth: 400 });
    expect([report.terminalWalks, report.uniqueStates]).toEqual([200, 9_994]);
    expect([broken(report), unreached(report)]).toEqual([
      ["every correct node that stores its slivers obtains a certificate"],
      [],
    ]);
    // Where N3 passed, the coin was 7, which picks its blob 0; under coin 2 it never does.
    const passed = report.properties.find((p) => p.name.includes("the coin having missed it"));
    if (passed?.kind !== "sometimes" || !passed.holds) throw new Error("expected a witness");
    const coinOf = (labels: readonly string[]) => labels.find((label) => label.startsWith("chain: StartChallenge"));
    expect(coinOf(passed.labels)).toBe('chain: StartChallenge {"coin":7}');
    const read = report.properties.find((p) => p.name.includes("reader reads its blob back"));
    if (read?.kind !== "sometimes" || !read.holds) throw new Error("expected a witness");
    expect(coinOf(read.labels)).toBe('chain: StartChallenge {"coin":2}');
  });

  it("challenge-4-lightweight-recovery: a cheater that rebuilds its picked blob by recovery passes through the same window as in the full challenge", () => {
    const report = simulate(build("challenge-4-lightweight-recovery"), { runs: 200, seed: 1, maxDepth: 400 });
    expect([report.uniqueStates, broken(report), unreached(report)]).toEqual([
      8_141,
      ["soundness"],
      ["witness: a node that threw a blob away obtains a certificate, the coin having missed it"],
    ]);
    const soundness = report.properties.find((p) => p.name.startsWith("soundness"));
    if (soundness?.kind !== "always" || soundness.holds) throw new Error("expected a violation");
    // Correct nodes answered N3's recovery request before they processed the challenge start.
    const answered = soundness.labels.filter((label) => /^N[0-2] → N3: RecoverySymbolResponse/.test(label));
    expect(answered.length).toBe(2);
    for (const label of answered) {
      const node = label.slice(0, 2);
      const start = soundness.labels.findIndex((l) => l.startsWith(`chain → ${node}: ChallengeStart`));
      const request = soundness.labels.findIndex((l) => l.startsWith(`N3 → ${node}: RecoverySymbolRequest`));
      expect(request).toBeGreaterThanOrEqual(0);
      expect(start === -1 || request < start).toBe(true);
    }
  });

  it("challenge-4-lightweight-one-node: everything holds, and N3 passes under coin 7 (never under 2: soundness)", () => {
    const report = simulate(build("challenge-4-lightweight-one-node"), { runs: 200, seed: 1, maxDepth: 400 });
    expect([report.terminalWalks, report.uniqueStates, broken(report), unreached(report)]).toEqual([
      200,
      3_706,
      [],
      [],
    ]);
    const passed = report.properties.find((p) => p.name.includes("the coin having missed it"));
    if (passed?.kind !== "sometimes" || !passed.holds) throw new Error("expected a witness");
    expect(passed.labels.filter((label) => label.startsWith("chain: StartChallenge"))).toEqual([
      'chain: StartChallenge {"coin":7}',
    ]);
  });

  it("challenge-4-lightweight-escalated: at k = m the coin misses nothing and no challenged blob is read", () => {
    const report = simulate(build("challenge-4-lightweight-escalated"), { runs: 200, seed: 1, maxDepth: 400 });
    expect([report.terminalWalks, report.uniqueStates]).toEqual([200, 12_526]);
    expect(broken(report)).toEqual([]);
    expect(unreached(report)).toEqual([
      "witness: a correct node answers a read of a blob the coin did not pick, during the challenge",
      "witness: the reader reads its blob back from answers all given in challenge mode",
      "witness: a node that threw a blob away obtains a certificate, the coin having missed it",
    ]);
  });
});

describe("the lightweight challenge, machine by machine", () => {
  const stored = LIGHTWEIGHT_BLOBS.map((bytes) => {
    const encoded = encodeBlob(bytes, n);
    const blobId = blobIdToString(encoded.blobId);
    const metadata = putBytes(encodeMetadataWithId({ blobId: encoded.blobId, metadata: encoded.metadata }));
    const sliver = (axis: "primary" | "secondary") =>
      putSliver(
        (axis === "primary" ? encoded.primarySlivers : encoded.secondarySlivers)[
          sliverIndexOf(axis, pairOfShard(blobId, 0, n), n)
        ],
      );
    return {
      blobId,
      certifiedEpoch: 1,
      metadata,
      slivers: [{ shard: 0, primary: sliver("primary"), secondary: sliver("secondary") }],
    };
  });
  /** N0 of the lightweight models, holding the three blobs (`challenge`: its behaviour). */
  const nodeInput = (challenge: StorageNodeInput["challenge"] = {}): StorageNodeInput => ({
    name: "N0",
    committee,
    blobIds: stored.map((blob) => blob.blobId),
    stored,
    challenge,
  });
  const sortedIds = stored
    .map((blob) => blob.blobId)
    .sort((x, y) => Buffer.compare(blobIdFromString(x), blobIdFromString(y)));
  const start = (coin: number) => ({ type: "ChallengeStart", seq: 0, epoch: 1, coin, challenged: 1 });

  it("every node derives each node's challenged blobs from the coin, in ascending blob-ID order", () => {
    for (const coin of [0, 2, 7, 11]) {
      const node = drive(threeBlobChallengeStorageNodeMachine, nodeInput()).step(start(coin));
      expect((node.snapshot.context as StorageNodeContext).challenge?.challenged).toEqual(
        committee.members.map(({ name }) => ({
          node: name,
          blobIds: selectChallengedBlobs(coinFromSeed(coin), name, 3, 1).map((i) => sortedIds[i]),
        })),
      );
      expect(challengeView(node.snapshot).ownChallenged).toEqual(
        selectChallengedBlobs(coinFromSeed(coin), "N0", 3, 1).map((i) => sortedIds[i]),
      );
    }
  });

  it("in challenge mode a node answers a read of a blob challenged of no node, and holds one challenged of some node", () => {
    const picked = (coin: number) =>
      new Set(committee.members.flatMap(({ name }) => selectChallengedBlobs(coinFromSeed(coin), name, 3, 1)));
    const coin = [0, 1, 2, 3, 4, 5, 6, 7].find((c) => picked(c).size < 3) as number;
    const free = sortedIds[[0, 1, 2].find((i) => !picked(coin).has(i)) as number];
    const taken = sortedIds[[...picked(coin)][0] as number];
    const read = (blobId: string) => ({ type: "ReadRequest", from: "reader", blobId, axis: "primary" });
    const node = drive(threeBlobChallengeStorageNodeMachine, nodeInput()).step(start(coin));
    node.step(read(taken));
    expect(node.sent).toEqual([]);
    node.step(read(free));
    expect(node.sent.map((m) => [m.to, m.type, m.blobId])).toEqual([["reader", "ReadResponse", free]]);
    expect(challengeView(node.snapshot).answeredInChallenge).toEqual([free]);
    // The challenge's end releases the held read.
    node.step({ type: "ChallengeEnd", seq: 1, epoch: 1 });
    expect(node.sent.map((m) => [m.to, m.type, m.blobId])).toEqual([["reader", "ReadResponse", taken]]);
  });

  it("malformed inputs are typed errors: k below one, a deleted blob the node does not hold or on a storing node", () => {
    const subscribers = committee.members.map(({ name }) => ({ name, events: ["ChallengeStart", "ChallengeEnd"] }));
    // xstate keeps what the context factory throws as the actor's error.
    const failure = (snapshot: { status: string; error?: unknown }) =>
      snapshot.status === "error" && snapshot.error instanceof InvalidParametersError ? String(snapshot.error) : "none";
    for (const challenged of [0, -1, 1.5]) {
      expect(failure(drive(challengeChainMachine, { committee, subscribers, challenged }).snapshot)).toMatch(
        /at least one blob per node/,
      );
    }
    const node = (challenge: StorageNodeInput["challenge"]) =>
      failure(drive(threeBlobChallengeStorageNodeMachine, nodeInput(challenge)).snapshot);
    expect(node({ behaviour: "deleted", deletedBlobs: ["nosuchblob"] })).toMatch(/deletedBlobs names blobs/);
    expect(node({ deletedBlobs: [stored[0]?.blobId as string] })).toMatch(/only for a deleted node/);
    expect(node({ behaviour: "deleted", deletedBlobs: [stored[0]?.blobId as string] })).toBe("none");
  });

  it("the chain starts the lightweight challenge only with a coin, and the full one only without", () => {
    const subscribers = committee.members.map(({ name }) => ({ name, events: ["ChallengeStart", "ChallengeEnd"] }));
    const light = drive(challengeChainMachine, { committee, subscribers, challenged: 1 });
    for (const coin of [undefined, -1, 1.5, "7"]) {
      light.step({ type: "StartChallenge", ...(coin === undefined ? {} : { coin }) });
      expect(light.snapshot.value).toBe("beforeChallenge");
    }
    light.step({ type: "StartChallenge", coin: 7 });
    expect(light.snapshot.value).toBe("challenging");
    expect(light.sent[0]).toEqual({ to: "N0", type: "ChallengeStart", epoch: 1, coin: 7, challenged: 1, seq: 0 });
    const full = drive(challengeChainMachine, { committee, subscribers });
    full.step({ type: "StartChallenge", coin: 7 });
    expect(full.snapshot.value).toBe("beforeChallenge");
    full.step({ type: "StartChallenge" });
    expect(full.sent[0]).toEqual({ to: "N0", type: "ChallengeStart", epoch: 1, seq: 0 });
  });
});

describe("the challenged node's check of the symbols it receives", () => {
  const encoded = encodeBlob(CHALLENGED_BLOB, n);
  const blobId = blobIdToString(encoded.blobId);
  const metadata = putBytes(encodeMetadataWithId({ blobId: encoded.blobId, metadata: encoded.metadata }));
  const index = (shard: number, axis: "primary" | "secondary") => sliverIndexOf(axis, pairOfShard(blobId, shard, n), n);
  const sliver = (shard: number, axis: "primary" | "secondary") =>
    putSliver((axis === "primary" ? encoded.primarySlivers : encoded.secondarySlivers)[index(shard, axis)]);
  /** Node `N<shard>` holding the blob in its one shard (`challenge`: its behaviour). */
  const nodeInput = (shard: number, challenge: StorageNodeInput["challenge"] = {}): StorageNodeInput => ({
    name: `N${shard}`,
    committee,
    blobIds: [blobId],
    stored: [
      {
        blobId,
        certifiedEpoch: 1,
        metadata,
        slivers: [{ shard, primary: sliver(shard, "primary"), secondary: sliver(shard, "secondary") }],
      },
    ],
    challenge,
  });
  /** N0 in challenge mode with acks of 2f + 1 shards; it has sent its own symbols. */
  const inChallenge = () => {
    const node = drive(challengeStorageNodeMachine, nodeInput(0));
    node.step({ type: "ChallengeStart", seq: 0, epoch: 1 });
    node.step({ type: "ChallengeAck", node: "N1" });
    node.step({ type: "ChallengeAck", node: "N2" });
    return node;
  };
  /** N1's symbol of its primary sliver for sliver `target` of the secondary axis. */
  const fromN1 = (target: number) =>
    recoverySymbolsFor(metadata, blobId, n, [sliver(1, "primary")], "secondary", [target]);

  it("signs for the exact cell it shares with the sender", () => {
    const node = inChallenge();
    node.step({ type: "ChallengeSymbols", node: "N1", blobId, symbols: fromN1(index(0, "secondary")) });
    expect(node.sent).toEqual([{ to: "N1", type: "ChallengeSignature", node: "N0", for: "N1" }]);
  });

  it("refuses a symbol that opens correctly but is another node's cell, or corrupted bytes", () => {
    const other = inChallenge();
    other.step({ type: "ChallengeSymbols", node: "N1", blobId, symbols: fromN1(index(2, "secondary")) });
    expect(other.sent).toEqual([]);
    const corrupted = inChallenge();
    const bytes = getBytes(fromN1(index(0, "secondary"))[0]).slice();
    bytes[bytes.length - 1] ^= 0xff;
    corrupted.step({ type: "ChallengeSymbols", node: "N1", blobId, symbols: [putBytes(bytes)] });
    expect(corrupted.sent).toEqual([]);
  });
  /** A recovery request for N0's secondary sliver, on both axes as the node's healing asks. */
  const recoveryOfN0 = (from: string) => ({
    type: "RecoverySymbolRequest",
    from,
    blobId,
    primary: [index(0, "primary")],
    secondary: [index(0, "secondary")],
  });

  it("answers a recovery request before the challenge, withholds it in challenge mode, and answers it after the end", () => {
    const node = drive(challengeStorageNodeMachine, nodeInput(1));
    node.step(recoveryOfN0("N0"));
    expect(node.sent.map((m) => [m.to, m.type])).toEqual([["N0", "RecoverySymbolResponse"]]);
    node.step({ type: "ChallengeStart", seq: 0, epoch: 1 });
    expect(challengeView(node.snapshot)).toMatchObject({ mode: "challenged", withholding: true });
    node.step(recoveryOfN0("N0"));
    expect(node.sent).toEqual([]);
    node.step({ type: "ReadRequest", from: "reader", blobId, axis: "primary" });
    expect(node.sent).toEqual([]);
    expect(challengeView(node.snapshot).answeredInChallenge).toEqual([]);
    node.step({ type: "ChallengeEnd", seq: 1, epoch: 1 });
    expect(node.sent.map((m) => [m.to, m.type]).sort()).toEqual([
      ["N0", "RecoverySymbolResponse"],
      ["reader", "ReadResponse"],
    ]);
    expect(challengeView(node.snapshot)).toMatchObject({ mode: "ended", withholding: false });
  });

  it("takes the chain's notices in chain order: an end that comes first is held until the start", () => {
    const node = drive(challengeStorageNodeMachine, nodeInput(1));
    node.step({ type: "ChallengeEnd", seq: 1, epoch: 1 });
    expect(challengeView(node.snapshot).mode).toBe("idle");
    node.step({ type: "ChallengeStart", seq: 0, epoch: 1 });
    expect(challengeView(node.snapshot)).toMatchObject({ mode: "ended", withholding: false });
  });

  it("a deleted node puts off healing until the challenge starts, then rebuilds by the node's own recovery and answers", () => {
    const node = drive(challengeStorageNodeMachine, nodeInput(0, { behaviour: "deleted" }));
    expect([node.sent, blobView(node.snapshot).storesNothing]).toEqual([[], true]);
    node.step({ type: "ChallengeStart", seq: 0, epoch: 1 });
    expect(node.sent.map((m) => [m.to, m.type])).toEqual([
      ["N1", "ChallengeAck"],
      ["N2", "ChallengeAck"],
      ["N3", "ChallengeAck"],
      ["N1", "RecoverySymbolRequest"],
      ["N2", "RecoverySymbolRequest"],
      ["N3", "RecoverySymbolRequest"],
    ]);
    // Storing nodes that have not seen the challenge start answer it; their answers heal N0.
    for (const helper of [1, 2, 3]) {
      const [{ to, ...answer }] = drive(challengeStorageNodeMachine, nodeInput(helper)).step(recoveryOfN0("N0")).sent;
      expect(to).toBe("N0");
      node.step(answer);
    }
    expect(blobView(node.snapshot)).toMatchObject({ storage: "stored", storesEverything: true });
    node.step({ type: "ChallengeAck", node: "N1" });
    node.step({ type: "ChallengeAck", node: "N2" });
    expect(node.sent.filter((m) => m.type === "ChallengeSymbols").map((m) => m.to)).toEqual(["N1", "N2", "N3"]);
  });

  it("a deleted node that does not rebuild asks for nothing and never answers", () => {
    const node = drive(challengeStorageNodeMachine, nodeInput(0, { behaviour: "deleted", rebuildBy: "none" }));
    node.step({ type: "ChallengeStart", seq: 0, epoch: 1 });
    node.step({ type: "ChallengeAck", node: "N1" });
    node.step({ type: "ChallengeAck", node: "N2" });
    expect(node.sent).toEqual([]);
    expect(blobView(node.snapshot).storage).toBe("awaitingSlivers");
  });

  it("posts a certificate once signatures of 2f + 1 shards are in, itself first", () => {
    const node = inChallenge();
    node.step({ type: "ChallengeSignature", node: "N1", for: "N0" });
    expect(node.sent).toEqual([]);
    node.step({ type: "ChallengeSignature", node: "N2", for: "N0" });
    expect(node.sent).toEqual([{ to: "chain", type: "ChallengeCertificate", node: "N0", signers: ["N0", "N1", "N2"] }]);
  });
  it("the property that no challenged blob is served in challenge mode catches a node that serves one, or does not withhold", () => {
    const nodes = [0, 1, 2, 3].map((shard) => drive(challengeStorageNodeMachine, nodeInput(shard)));
    for (const node of nodes) node.step({ type: "ChallengeStart", seq: 0, epoch: 1 });
    const chain = drive(challengeChainMachine, {
      committee,
      subscribers: committee.members.map(({ name }) => ({ name, events: ["ChallengeStart", "ChallengeEnd"] })),
    });
    const layout = {
      chain: "chain",
      nodes: ["N0", "N1", "N2", "N3"],
      deleted: [],
      byzantine: [],
      index: (name: string) => (name === "chain" ? 4 : Number(name.slice(1))),
      committee,
      lightweight: false,
    };
    const property = challengeProperties(layout).find((p) => p.name.startsWith("no correct node answers"));
    if (property === undefined) throw new Error("no such property");
    const view = (n0: { value: unknown; context: unknown }) => ({
      actors: [n0, ...nodes.slice(1).map((node) => node.snapshot), chain.snapshot] as never,
      status: ["correct", "correct", "correct", "correct", "correct"] as const,
      messages: [],
    });
    const n0 = nodes[0]?.snapshot as { value: unknown; context: StorageNodeContext };
    expect(property.holds(view(n0))).toBe(true);
    const challenge = n0.context.challenge as NonNullable<StorageNodeContext["challenge"]>;
    const served = { ...challenge, answeredInChallenge: [blobId] };
    expect(property.holds(view({ ...n0, context: { ...n0.context, challenge: served } }))).toBe(false);
    const open = { ...challenge, withholding: false };
    expect(property.holds(view({ ...n0, context: { ...n0.context, challenge: open } }))).toBe(false);
  });
});
