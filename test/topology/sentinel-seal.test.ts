/**
 * The sealed audit trail behind Redis Sentinel: workers seal through the master Sentinel names;
 * the master is killed and its replica promoted while requests keep coming, the sealer carries on
 * and `npm run audit -- verify` finds the chain whole, live and offline. And the case a failover
 * makes on its own: the last checkpoints written while the replica was not acknowledging are lost
 * with the master, though every acknowledged decision survives; the chain must go on from what
 * the promoted replica holds, not show a gap for checkpoints no entry depended on.
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { expect } from "chai";
import { Redis } from "ioredis";
import { parseCheckpoint, SEAL_FIELD, sealKeyOf, sealsKeyOf, type Checkpoint } from "../../shared/domain/seal.js";
import { createLogger } from "../../shared/runtime/log.js";
import { startWorker, type RunningWorker } from "../../worker/worker.js";
import { expectVerifiedLiveAndOffline, SCRIPT } from "../support/audit-cli.js";
import { runScript, type CliResult } from "../support/cli.js";
import { minimalDirectory, predownloadBody } from "../support/factories.js";
import { until } from "../support/probes.js";
import { startRedisSentinel, type RedisSentinel } from "../support/redis-sentinel.js";
import { startStack, type Stack } from "../support/stack.js";

interface Answer {
  readonly status: number;
  readonly requestId: string;
}

interface Sealed {
  readonly sealId: string;
  readonly checkpoint: Checkpoint;
}

interface SealedSetup {
  readonly sentinel: RedisSentinel;
  readonly stack: Stack;
  readonly stream: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  post(): Promise<Answer>;
  /** The stream's checkpoints, by their ids in the seals stream, as `redis` (default: the master now) holds them. */
  seals(redis?: Redis | Stack["redis"]): Promise<Sealed[]>;
  checkpoints(redis?: Redis | Stack["redis"]): Promise<Checkpoint[]>;
  untilAllSealed(): Promise<void>;
  expectVerified(): Promise<void>;
  /** Resolves once a request is answered 200 (the clients found the promoted replica). */
  untilServed(): Promise<void>;
  verifyLive(): Promise<CliResult>;
  /**
   * Stops the replica from taking the master's writes (frozen, and more written than the sockets
   * between them hold), runs `meanwhile`, waits for two more checkpoints on the master, kills it,
   * and resolves once the replica is promoted, with the checkpoints the master held at its death.
   */
  failOverLagging(meanwhile?: () => Promise<void>): Promise<Sealed[]>;
}

/** A sealing stack behind a fresh Sentinel setup: one worker, or two (the stack's and one more). */
function sealedSetup(workers: 1 | 2): SealedSetup {
  const dir = mkdtempSync(join(tmpdir(), "pd-sentinel-seal-"));
  const { privateKey } = generateKeyPairSync("ed25519");
  const privateFile = join(dir, "seal.pem");
  const publicFile = join(dir, "seal.pub.pem");
  writeFileSync(privateFile, privateKey.export({ type: "pkcs8", format: "pem" }));
  writeFileSync(publicFile, sealKeyOf(privateKey).publicKey.export({ type: "spki", format: "pem" }));
  let sentinel: RedisSentinel | undefined;
  let stack: Stack | undefined;
  let second: RunningWorker | undefined;
  const setup: SealedSetup = {
    get sentinel() {
      return sentinel!;
    },
    get stack() {
      return stack!;
    },
    get stream() {
      return setup.stack.keys.auditStream;
    },
    async start() {
      sentinel = await startRedisSentinel();
      stack = await startStack({
        env: { REDIS_URL: setup.sentinel.url, REDIS_WAIT_REPLICAS: "1", REQUEST_TIMEOUT_MS: "3000", AUDIT_SEAL_KEY_FILE: privateFile, AUDIT_SEAL_INTERVAL_SECONDS: "1" },
      });
      if (workers === 2) second = await startWorker(setup.stack.config, createLogger("test", "silent"));
      await setup.stack.importLines(minimalDirectory());
    },
    async stop() {
      await second?.close();
      await stack?.close();
      await sentinel?.stop();
      rmSync(dir, { recursive: true, force: true });
    },
    async post(): Promise<Answer> {
      const res = await setup.stack.post(predownloadBody(), { token: setup.stack.token("client", "app1") });
      await res.body?.cancel();
      return { status: res.status, requestId: res.headers.get("X-Request-Id")! };
    },
    async seals(redis = setup.stack.redis) {
      return (await redis.xrange(sealsKeyOf(setup.stream), "-", "+")).map(([sealId, fields]) => ({ sealId, checkpoint: parseCheckpoint(fields[fields.indexOf(SEAL_FIELD) + 1]!) }));
    },
    async checkpoints(redis = setup.stack.redis) {
      return (await setup.seals(redis)).map((s) => s.checkpoint);
    },
    /** Resolves once a checkpoint covers the stream's newest entry. */
    async untilAllSealed(): Promise<void> {
      await until("every entry sealed", 20_000, async () => {
        const [[top] = []] = await setup.stack.redis.xrevrange(setup.stream, "+", "-", "COUNT", 1);
        const last = (await setup.checkpoints()).at(-1);
        return top !== undefined && last?.lastId === top ? true : undefined;
      });
    },
    verifyLive() {
      return runScript(SCRIPT, ["verify", "--public-key", publicFile], { REDIS_URL: setup.sentinel.url, KEY_PREFIX: setup.stack.keys.prefix });
    },
    /** `verify` live, then `export --with-seals` verified offline: both intact, with the same entries. */
    async expectVerified() {
      const env = { REDIS_URL: setup.sentinel.url, KEY_PREFIX: setup.stack.keys.prefix };
      const { live, offline } = await expectVerifiedLiveAndOffline(env, publicFile, join(dir, "trail.ndjson"));
      expect(live).to.match(/^\d+ seals, \d+ entries, all valid$/);
      // The sealers go on meanwhile: the export may have more (empty) checkpoints, the same entries.
      const entries = (summary: string) => / (\d+) entries, /.exec(summary)?.[1];
      expect(entries(offline)).to.equal(entries(live));
    },
    async untilServed() {
      await until("a decision on the promoted replica", 30_000, async () => ((await setup.post()).status === 200 ? true : undefined));
    },
    async failOverLagging(meanwhile) {
      const redis = setup.sentinel;
      redis.replica.process.kill("SIGSTOP");
      let atDeath: Sealed[];
      try {
        await setup.stack.redis.set(`${setup.stack.keys.prefix}:ballast`, "x".repeat(32 * 1024 * 1024));
        // Checkpoints from here on stay behind the ballast, in the master's memory.
        const held = (await setup.checkpoints()).length;
        await meanwhile?.();
        const grown = await until("checkpoints on the master only", 20_000, async () => {
          const now = await setup.seals();
          return now.length >= held + 2 ? now : undefined;
        });
        await redis.killMaster();
        atDeath = grown;
      } finally {
        redis.replica.process.kill("SIGCONT");
      }
      await redis.waitForPromotion();
      return atDeath;
    },
  };
  return setup;
}

describe("the sealed audit trail behind Redis Sentinel, the master killed under load", function () {
  this.timeout(120_000);
  const setup = sealedSetup(2);
  before(() => setup.start());
  after(() => setup.stop());

  it("goes on sealing on the promoted replica: the chain has no gap, every answered URL has its event, verify is intact live and offline", async () => {
    const answers: Answer[] = [];
    let running = true;
    const load = Array.from({ length: 2 }, async () => {
      while (running) {
        answers.push(await setup.post());
        await sleep(10);
      }
    });
    try {
      await until("entries sealed before the kill", 20_000, async () => ((await setup.checkpoints()).some((c) => c.count > 0) ? true : undefined));
      const sealedBefore = (await setup.checkpoints()).length;
      await setup.sentinel.killMaster();
      await setup.sentinel.waitForPromotion();
      const promoted = new Redis(setup.sentinel.replica.url);
      try {
        // New checkpoints on the promoted replica that cover entries appended after the kill.
        await until("sealing on the promoted replica", 30_000, async () => {
          const after = (await setup.checkpoints(promoted)).slice(sealedBefore);
          return after.filter((c) => c.count > 0).length >= 2 ? true : undefined;
        });
      } finally {
        promoted.disconnect();
      }
    } finally {
      running = false;
      await Promise.all(load);
    }
    await setup.untilAllSealed();
    const seqs = (await setup.checkpoints()).map((c) => c.seq);
    expect(seqs, "one checkpoint after the other").to.deep.equal(seqs.map((_, i) => i + 1));
    await setup.expectVerified();

    expect([...new Set(answers.map((a) => a.status))].every((s) => s === 200 || s === 503)).to.equal(true);
    const issued = new Set((await setup.stack.auditEvents()).filter((e) => e.outcome === "issued").map((e) => e.requestId));
    const lost = answers.filter((a) => a.status === 200 && !issued.has(a.requestId));
    expect(lost.map((a) => a.requestId), "URLs handed out whose issued event the failover lost").to.deep.equal([]);
  });
});

describe("the sealed audit trail behind Redis Sentinel, checkpoints the replica never got", function () {
  this.timeout(120_000);
  // One worker: the sealer that wrote the lost checkpoints is the one that carries on.
  const setup = sealedSetup(1);
  before(() => setup.start());
  after(() => setup.stop());

  it("appends them again as they were, as every entry they cover is still there: verify finds the chain whole", async () => {
    for (let i = 0; i < 5; i++) expect((await setup.post()).status).to.equal(200);
    await setup.untilAllSealed();
    // Every decision so far is on the replica (each waited for it); the next checkpoints are not.
    const atDeath = await setup.failOverLagging();
    const promoted = new Redis(setup.sentinel.replica.url);
    try {
      // Restored verbatim, signatures and all, once the sealer finds them gone: the last ones the
      // dead master held are there again, appended anew (under ids of the promoted replica).
      const restored = await until("the lost checkpoints restored", 20_000, async () => {
        const bySignature = new Map((await setup.seals(promoted)).map((s) => [s.checkpoint.signature, s.sealId]));
        return atDeath.every((s) => bySignature.has(s.checkpoint.signature)) ? bySignature : undefined;
      });
      const appendedAgain = atDeath.filter((s) => restored.get(s.checkpoint.signature) !== s.sealId);
      expect(appendedAgain.length, "checkpoints the failover lost, appended again").to.be.at.least(2);
    } finally {
      promoted.disconnect();
    }
    await setup.untilServed();
    await setup.untilAllSealed();
    const seqs = (await setup.checkpoints()).map((c) => c.seq);
    expect(seqs, "one checkpoint after the other").to.deep.equal(seqs.map((_, i) => i + 1));
    await setup.expectVerified();
    expect((await setup.stack.auditEvents()).filter((e) => e.outcome === "issued")).to.have.length(6);
  });
});

describe("the sealed audit trail behind Redis Sentinel, a sealed decision the replica never got", function () {
  this.timeout(120_000);
  const setup = sealedSetup(1);
  before(() => setup.start());
  after(() => setup.stop());

  it("answers it once the replica misses the WAIT, loses it with the master, and verify names the checkpoint that covered it as missing", async () => {
    expect((await setup.post()).status).to.equal(200);
    await setup.untilAllSealed();
    let lost: Answer | undefined;
    await setup.failOverLagging(async () => {
      // Answered after REDIS_WAIT_TIMEOUT_MS without the replica: the documented degraded write.
      lost = await setup.post();
      await setup.untilAllSealed();
    });
    expect(lost!.status).to.equal(200);
    await setup.untilServed();
    await setup.untilAllSealed();
    const requests = (await setup.stack.auditEvents()).filter((e) => e.outcome === "issued").map((e) => e.requestId);
    expect(requests, "the issued events left").to.have.length(2);
    expect(requests).to.not.include(lost!.requestId);
    const verified = await setup.verifyLive();
    expect(verified.code, verified.stdout + verified.stderr).to.equal(1);
    expect(verified.stdout).to.match(/checkpoint missing: checkpoints? #\d+( to #\d+)? (is|are) missing/);
  });
});
