/**
 * A live verify reads a stream while the sealer may trim its oldest whole intervals (retention):
 * an interval older than the retention that comes up short mid-read is counted as trimmed, not as
 * tampered with; a short interval younger than the retention, or any in an export, is a break.
 */
import { generateKeyPairSync } from "node:crypto";
import { expect } from "chai";
import { StreamVerifier, type CheckpointItem } from "../../cli/audit/verifier.js";
import { digestOf, GENESIS, IntervalHash, sealKeyOf, signCheckpoint } from "../../shared/domain/seal.js";

const STREAM = "pd:audit";
const key = sealKeyOf(generateKeyPairSync("ed25519").privateKey);
const keys = new Map([[key.keyId, { keyId: key.keyId, publicKey: key.publicKey, source: "test" }]]);

/** Three sealed intervals of three entries each, starting at `startMs`. */
function trail(startMs: number): { items: CheckpointItem[]; entries: Array<[string, string]> } {
  const items: CheckpointItem[] = [];
  const entries: Array<[string, string]> = [];
  let [prev, after, ms] = [GENESIS, "0-0", startMs];
  for (let seq = 1; seq <= 3; seq++) {
    const hash = new IntervalHash(prev);
    const firstId = `${ms}-0`;
    for (let i = 0; i < 3; i++) {
      const id = `${ms++}-0`;
      const text = JSON.stringify({ n: `${seq}.${i}` });
      hash.add(id, text);
      entries.push([id, text]);
    }
    const lastId = `${ms - 1}-0`;
    const checkpoint = signCheckpoint({ v: 1, stream: STREAM, seq, after, firstId, lastId, count: 3, prev, ...hash.digest(), time: new Date(ms).toISOString(), intervalSeconds: 10, keyId: key.keyId }, key);
    items.push({ checkpoint });
    [prev, after] = [digestOf(checkpoint), lastId];
  }
  return { items, entries };
}

/**
 * Feeds entries 0-1 (part of the first interval), then, as if intervals 1 and 2 were trimmed
 * meanwhile, those of the third; `boundMs` is the retention bound (entries older may be trimmed).
 */
function readAcrossATrim(boundMs: (startMs: number) => number, live: boolean) {
  const startMs = Date.now() - 60_000;
  const { items, entries } = trail(startMs);
  const bound = boundMs(startMs);
  const verifier = new StreamVerifier(STREAM, items, keys, { retentionBoundMs: bound, ...(live ? { retentionBoundNowMs: () => bound } : {}) });
  for (const [id, text] of [...entries.slice(0, 2), ...entries.slice(6)]) verifier.add(id, text);
  return verifier.finish(startMs + 10);
}

/** Intervals 1 and 2 (entries at start + 0..5 ms) are older than the retention, interval 3 is not. */
const PAST_TWO = (startMs: number) => startMs + 6;
/** Nothing is older than the retention. */
const NONE = (startMs: number) => startMs - 1;

describe("verifying a live stream the sealer trims meanwhile", () => {
  it("counts intervals older than the retention that came up short as trimmed, and checks the rest", () => {
    const report = readAcrossATrim(PAST_TWO, true);
    expect(report.break).to.equal(undefined);
    expect(report.trimmedEntries).to.equal(6);
    expect(report.entries).to.equal(3);
    expect(report.seals).to.equal(3);
  });

  it("still reports deleted entries in an interval younger than the retention", () => {
    const report = readAcrossATrim(NONE, true);
    expect(report.break?.kind).to.equal("entry deleted");
  });

  it("still reports them in an export, which nothing trims while it is read", () => {
    const report = readAcrossATrim(PAST_TWO, false);
    expect(report.break?.kind).to.equal("entry deleted");
  });
});
