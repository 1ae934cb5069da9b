/**
 * Audit retention: each event the worker appends trims entries older than the retention
 * (approximately: whole stream nodes), never younger ones (the setting itself:
 * test/unit/audit-retention.test.ts).
 * Also the settle script's other promise: no result, so no URL, without its event.
 */
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { Redis } from "ioredis";
import { auditEvent } from "../../shared/domain/audit.js";
import { keys as makeKeys } from "../../shared/redis/keys.js";
import type { RedisClient } from "../../shared/redis/client.js";
import { settle } from "../../shared/redis/settlement.js";
import { client, minimalDirectory, predownloadBody } from "../support/factories.js";
import { deleteKeys, NO_WAIT, startStack, type Stack } from "../support/stack.js";

const DAY_MS = 24 * 3600 * 1000;

/** Appends `count` events whose stream ids say they were written at `fromMs`, `fromMs + 1`, …. */
async function appendAged(redis: RedisClient, stream: string, fromMs: number, count: number): Promise<string[]> {
  const pipeline = redis.pipeline();
  const ids = Array.from({ length: count }, (_, i) => `${fromMs + i}-0`);
  for (const id of ids) pipeline.xadd(stream, id, "event", JSON.stringify(auditEvent({ outcome: "not_found", reason: "unknown_attachment", requestId: `aged-${id}` })));
  await pipeline.exec();
  return ids;
}

const streamIds = async (redis: RedisClient, stream: string): Promise<string[]> => (await redis.xrange(stream, "-", "+")).map(([id]) => id);

describe("audit retention", () => {
  describe("the settle script", () => {
    const keys = makeKeys(`t${randomUUID().slice(0, 8)}`);
    let redis: Redis;
    before(() => {
      redis = new Redis(process.env.REDIS_URL!);
    });
    after(async () => {
      await deleteKeys(redis, `${keys.prefix}:*`);
      redis.disconnect();
    });

    const settleOnce = (auditMinIdBound?: string) =>
      settle(redis, keys, NO_WAIT, {
        reply: { jobId: randomUUID(), result: { outcome: "not_found" } },
        event: auditEvent({ outcome: "not_found", reason: "unknown_attachment", requestId: "r" }),
        replyTo: "nobody",
        deadline: Date.now() + 5000,
        auditMinId: auditMinIdBound,
      });

    beforeEach(() => redis.del(keys.auditStream));

    it("writes no result, and so hands out no URL, when the event cannot be appended", async () => {
      await redis.set(keys.auditStream, "not a stream");
      const jobId = randomUUID();
      const settlement = {
        reply: { jobId, result: { outcome: "not_found" as const } },
        event: auditEvent({ outcome: "not_found", reason: "unknown_attachment", requestId: "r" }),
        replyTo: "nobody",
        deadline: Date.now() + 5000,
      };
      let failure: unknown;
      await settle(redis, keys, NO_WAIT, settlement).catch((error: unknown) => (failure = error));
      expect(String(failure)).to.include("WRONGTYPE");
      expect(await redis.exists(keys.shardFor(jobId).result(jobId))).to.equal(0);
    });

    it("trims nothing without a bound", async () => {
      const old = await appendAged(redis, keys.auditStream, 1000, 300);
      await settleOnce();
      expect((await streamIds(redis, keys.auditStream)).slice(0, 300)).to.deep.equal(old);
    });

    it("removes entries below the bound, keeps every one at or above it, and appends the event", async () => {
      const old = await appendAged(redis, keys.auditStream, 1000, 300);
      const young = await appendAged(redis, keys.auditStream, 5000, 50);
      await settleOnce("5000-0");
      const ids = await streamIds(redis, keys.auditStream);
      const keptOld = ids.filter((id) => old.includes(id));
      // "~" drops whole stream nodes only: the node that also holds the bound may keep a few old entries.
      expect(keptOld.length).to.be.below(100);
      expect(keptOld).to.deep.equal(old.slice(old.length - keptOld.length));
      expect(ids.slice(keptOld.length, keptOld.length + young.length)).to.deep.equal(young);
      expect(ids).to.have.length(keptOld.length + young.length + 1);
    });
  });

  describe("through the service", () => {
    let stack: Stack;
    before(async () => {
      stack = await startStack({ env: { AUDIT_RETENTION_DAYS: "2" } });
      await stack.importLines(minimalDirectory());
    });
    after(async () => stack?.close());

    it("trims events older than AUDIT_RETENTION_DAYS as the worker records a decision, and keeps younger ones", async () => {
      const now = Date.now();
      const old = await appendAged(stack.redis, stack.keys.auditStream, now - 3 * DAY_MS, 300);
      const young = await appendAged(stack.redis, stack.keys.auditStream, now - 2 * DAY_MS + 60_000, 50);
      const res = await stack.post(predownloadBody(), { token: stack.token("client", "app1") });
      expect(res.status).to.equal(200);

      const ids = await streamIds(stack.redis, stack.keys.auditStream);
      expect(ids.filter((id) => old.includes(id)).length).to.be.below(100);
      expect(ids.filter((id) => young.includes(id))).to.deep.equal(young);
      const events = await stack.auditEvents();
      expect(events.filter((e) => e.requestId === res.headers.get("X-Request-Id")).map((e) => e.outcome)).to.deep.equal(["issued"]);
    });
  });
});
