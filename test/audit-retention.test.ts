/**
 * Audit retention: AUDIT_RETENTION_DAYS is parsed and checked, and each event the worker appends
 * trims entries older than the retention (approximately: whole stream nodes), never younger ones.
 * Also the settle script's other promise: no result, so no URL, without its event.
 */
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { Redis } from "ioredis";
import { auditEvent, auditMinId } from "../shared/audit.js";
import { ConfigError, loadConfig } from "../shared/config.js";
import { keys as makeKeys } from "../shared/keys.js";
import type { RedisClient } from "../shared/redis.js";
import { settle } from "../shared/reply.js";
import { activity, attachment, client, department } from "./support/factories.js";
import { deleteKeys, NO_WAIT, startStack, type Stack } from "./support/stack.js";

const DAY_MS = 24 * 3600 * 1000;
const VALID = { S3_BUCKET: "b", AWS_ACCESS_KEY_ID: "id", AWS_SECRET_ACCESS_KEY: "secret", JWT_SECRET: "x".repeat(32) };

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
  describe("AUDIT_RETENTION_DAYS", () => {
    it("defaults to 7 days and takes a whole number of days", () => {
      expect(loadConfig(VALID).auditRetentionDays).to.equal(7);
      expect(loadConfig({ ...VALID, AUDIT_RETENTION_DAYS: "400" }).auditRetentionDays).to.equal(400);
    });

    for (const bad of ["0", "1.5", "seven", "-3", "3651"]) {
      it(`refuses AUDIT_RETENTION_DAYS=${bad}, naming it`, () => {
        expect(() => loadConfig({ ...VALID, AUDIT_RETENTION_DAYS: bad }))
          .to.throw(ConfigError)
          .with.property("problems")
          .that.satisfies((problems: string[]) => problems.some((p) => p.startsWith("AUDIT_RETENTION_DAYS:")));
      });
    }

    it("turns a retention into the stream id of the oldest moment kept", () => {
      const now = Date.parse("2026-11-28T03:00:00.000Z");
      expect(auditMinId(7, now)).to.equal(`${now - 7 * DAY_MS}-0`);
    });
  });

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
      await stack.importLines([department("d1"), client("app1"), activity("a1"), attachment("att1")]);
    });
    after(async () => stack?.close());

    it("trims events older than AUDIT_RETENTION_DAYS as the worker records a decision, and keeps younger ones", async () => {
      const now = Date.now();
      const old = await appendAged(stack.redis, stack.keys.auditStream, now - 3 * DAY_MS, 300);
      const young = await appendAged(stack.redis, stack.keys.auditStream, now - 2 * DAY_MS + 60_000, 50);
      const res = await stack.post({ app: "email", type: "attachment.inbound", altId: "att1" }, { token: stack.token("client", "app1") });
      expect(res.status).to.equal(200);

      const ids = await streamIds(stack.redis, stack.keys.auditStream);
      expect(ids.filter((id) => old.includes(id)).length).to.be.below(100);
      expect(ids.filter((id) => young.includes(id))).to.deep.equal(young);
      const events = await stack.auditEvents();
      expect(events.filter((e) => e.requestId === res.headers.get("X-Request-Id")).map((e) => e.outcome)).to.deep.equal(["issued"]);
    });
  });
});
