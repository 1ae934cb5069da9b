/**
 * The reply path: pub/sub with a result-key fallback, deadlines, and the rule that a request is
 * settled once: a late worker issues nothing after the API has answered 503.
 */
import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import { expect } from "chai";
import { Redis } from "ioredis";
import { ReplyWaits } from "../../api/reply-waits.js";
import { auditEvent } from "../../shared/domain/audit.js";
import { Clock } from "../../shared/redis/clock.js";
import { readDirectory, writeDirectory } from "../../shared/redis/directory-store.js";
import type { SignJobData, SignReply } from "../../shared/domain/job.js";
import { keys as makeKeys } from "../../shared/redis/keys.js";
import { createLogger } from "../../shared/runtime/log.js";
import { Durability } from "../../shared/redis/durability.js";
import { claim, peekResults, settle } from "../../shared/redis/settlement.js";
import { signJob, type SignContext } from "../../worker/sign.js";
import { startWorker } from "../../worker/worker.js";
import { attachment, client, departmentUser, minimalDirectory, predownloadBody } from "../support/factories.js";
import { until } from "../support/probes.js";
import { deleteKeys, NO_WAIT, startStack, type Stack } from "../support/stack.js";

const BODY = predownloadBody();
const DIRECTORY = minimalDirectory();

describe("reply path", () => {
  describe("the ReplyWaits registry against real Redis", () => {
    const keys = makeKeys(`t${randomUUID().slice(0, 8)}`);
    const log = createLogger("test", "silent");
    let redis: Redis;
    let subscriber: Redis;
    let replies: ReplyWaits;
    before(async () => {
      redis = new Redis(process.env.REDIS_URL!);
      subscriber = new Redis(process.env.REDIS_URL!);
      replies = new ReplyWaits(subscriber, redis, keys, "api-under-test", log);
      await replies.start();
    });
    after(async () => {
      await deleteKeys(redis, `${keys.prefix}:*`);
      redis.disconnect();
      subscriber.disconnect();
    });

    const issued = (jobId: string): SignReply => ({
      jobId,
      result: { outcome: "not_found" },
    });
    const event = () => auditEvent({ outcome: "not_found", requestId: "r" });

    it("resolves from the reply message as soon as the worker settles", async () => {
      const jobId = randomUUID();
      const deadline = Date.now() + 5000;
      const waiting = replies.wait(jobId, deadline);
      const started = Date.now();
      expect((await settle(redis, keys, NO_WAIT, { reply: issued(jobId), event: event(), replyTo: "api-under-test", deadline })).written).to.equal(true);
      const settled = await waiting;
      expect(settled).to.deep.equal({ result: { outcome: "not_found" }, timedOut: false });
      expect(Date.now() - started).to.be.below(1000);
    });

    it("falls back to the result key when the reply message was missed", async () => {
      const jobId = randomUUID();
      const deadline = Date.now() + 1500;
      const waiting = replies.wait(jobId, deadline);
      await settle(redis, keys, NO_WAIT, { reply: issued(jobId), event: event(), replyTo: "some-other-api", deadline });
      expect(await waiting).to.deep.equal({ result: { outcome: "not_found" }, timedOut: false });
    });

    it("settles as unavailable at the deadline, after which a late worker can settle nothing", async () => {
      const jobId = randomUUID();
      const deadline = Date.now() + 200;
      expect(await replies.wait(jobId, deadline)).to.deep.equal({ result: { outcome: "unavailable" }, timedOut: true });
      const before = await redis.xlen(keys.auditStream);
      expect((await settle(redis, keys, NO_WAIT, { reply: issued(jobId), event: event(), replyTo: "api-under-test", deadline })).written).to.equal(false);
      expect(await redis.xlen(keys.auditStream)).to.equal(before);
    });

    it("writes each result once: a retried job cannot settle twice", async () => {
      const jobId = randomUUID();
      const deadline = Date.now() + 5000;
      const settlement = { reply: issued(jobId), event: event(), replyTo: "nobody", deadline };
      const before = await redis.xlen(keys.auditStream);
      expect((await settle(redis, keys, NO_WAIT, settlement)).written).to.equal(true);
      expect((await settle(redis, keys, NO_WAIT, settlement)).written).to.equal(false);
      expect(await redis.xlen(keys.auditStream)).to.equal(before + 1);
    });

    it("sends the stored reply when a job run again finds its first run's result, when replies wait for replicas", async () => {
      // The first run wrote its result (and event) and died before it could send the reply.
      const jobId = randomUUID();
      const deadline = Date.now() + 5000;
      const first: SignReply = { jobId, result: { outcome: "denied", code: "403-105" } };
      await redis.set(keys.shardFor(jobId).result(jobId), JSON.stringify(first), "PX", 10_000);
      const waiting = replies.wait(jobId, deadline);
      const before = await redis.xlen(keys.auditStream);
      const started = Date.now();
      const retried = await settle(redis, keys, new Durability(1, 50), { reply: issued(jobId), event: event(), replyTo: "api-under-test", deadline });
      expect(retried.written).to.equal(false);
      expect(await waiting).to.deep.equal({ result: first.result, timedOut: false });
      // From the reply, not from the result key at the deadline.
      expect(Date.now() - started).to.be.below(1000);
      expect(await redis.xlen(keys.auditStream)).to.equal(before);
    });

    it("does not take the API's own tombstone for a worker's result when it looks for missed replies", async () => {
      const jobId = randomUUID();
      expect(await claim(redis, keys, jobId, Date.now() + 1000)).to.equal(undefined);
      expect(await peekResults(redis, keys, [jobId])).to.deep.equal([]);
    });

    it("keeps a result only a little longer than its deadline", async () => {
      const jobId = randomUUID();
      const deadline = Date.now() + 1000;
      await settle(redis, keys, NO_WAIT, { reply: issued(jobId), event: event(), replyTo: "nobody", deadline });
      expect(await redis.pttl(keys.shardFor(jobId).result(jobId))).to.be.within(1000, 12_000);
    });
  });

  describe("a job run again after its deadline (a stalled job taken over after its worker crashed)", () => {
    const keys = makeKeys(`t${randomUUID().slice(0, 8)}`);
    let redis: Redis;
    let ctx: SignContext;
    before(async () => {
      redis = new Redis(process.env.REDIS_URL!);
      const parsed = await readDirectory(Readable.from(DIRECTORY.map((line) => JSON.stringify(line)).join("\n")));
      await writeDirectory(redis, keys, parsed.entries);
      ctx = {
        redis,
        writer: redis,
        keys,
        presign: async ({ expiresInSeconds, now }) => ({ url: "https://s3.example/objects/att1", expiresAt: new Date(now.getTime() + expiresInSeconds * 1000) }),
        ttlSeconds: 300,
        auditRetentionDays: 7,
        durability: NO_WAIT,
        clock: new Clock(),
        log: createLogger("test", "silent"),
      };
    });
    after(async () => {
      await deleteKeys(redis, `${keys.prefix}:*`);
      redis.disconnect();
    });

    const job = (deadline: number): { jobId: string; data: SignJobData } => {
      const requestId = randomUUID();
      return {
        jobId: randomUUID(),
        data: { requestId, actor: { type: "client", id: "app1" }, app: "email", type: "attachment.inbound", altId: "att1", requestedExpiry: null, deadline, replyTo: "nobody", client: { ip: "127.0.0.1", userAgent: null } },
      };
    };
    const outcomes = async (requestId: string) =>
      (await redis.xrange(keys.auditStream, "-", "+"))
        .map(([, fields]) => JSON.parse(fields[1]!) as { requestId: string; outcome: string; reason: string | null })
        .filter((e) => e.requestId === requestId)
        .map((e) => [e.outcome, e.reason]);
    const pastDeadline = (deadline: number) => new Promise((r) => setTimeout(r, Math.max(deadline - Date.now(), 0) + 20));

    it("adds no event to a request a worker already settled with its result", async () => {
      const { jobId, data } = job(Date.now() + 1500);
      expect((await signJob(ctx, jobId, data)).outcome).to.equal("issued");
      await pastDeadline(data.deadline);
      expect((await signJob(ctx, jobId, data)).outcome).to.equal("unavailable");
      expect(await outcomes(data.requestId)).to.deep.equal([["issued", null]]);
    });

    it("records deadline_passed once on a request the API gave up on, however often the job runs", async () => {
      const { jobId, data } = job(Date.now() + 50);
      await pastDeadline(data.deadline);
      expect(await claim(redis, keys, jobId, data.deadline)).to.equal(undefined);
      await signJob(ctx, jobId, data);
      await signJob(ctx, jobId, data);
      expect(await outcomes(data.requestId)).to.deep.equal([["unavailable", "deadline_passed"]]);
    });

    it("records deadline_passed once when the late job is the first to settle, however often it runs", async () => {
      const { jobId, data } = job(Date.now() + 50);
      await pastDeadline(data.deadline);
      await signJob(ctx, jobId, data);
      await signJob(ctx, jobId, data);
      expect(await outcomes(data.requestId)).to.deep.equal([["unavailable", "deadline_passed"]]);
      expect(await claim(redis, keys, jobId, data.deadline), "the API finds the worker's answer").to.deep.equal({ jobId, result: { outcome: "unavailable" } });
    });
  });

  describe("through the API, with no worker and a short request timeout", () => {
    let stack: Stack;
    before(async () => {
      stack = await startStack({ worker: false, env: { REQUEST_TIMEOUT_MS: "400" } });
      await stack.importLines(DIRECTORY);
    });
    after(async () => stack?.close());

    it("answers 503 with Retry-After within the timeout when no worker runs, and a late worker issues nothing", async () => {
      const started = Date.now();
      const res = await stack.post(BODY, { token: stack.token("client", "app1") });
      const elapsed = Date.now() - started;
      const body = (await res.json()) as { code: string };
      expect(res.status).to.equal(503);
      expect(body.code).to.equal("503-100");
      expect(res.headers.get("Retry-After")).to.equal("1");
      expect(elapsed).to.be.within(350, 2000);
      const requestId = res.headers.get("X-Request-Id");

      stack.worker = await startWorker(stack.config, createLogger("test", "silent"));
      const events = await until("the late worker's event", 10_000, async () => {
        const found = (await stack.auditEvents()).filter((e) => e.requestId === requestId);
        return found.length >= 2 ? found : undefined;
      });
      expect(events.map((e) => [e.outcome, e.reason])).to.deep.equal([
        ["unavailable", "no_result_before_deadline"],
        ["unavailable", "deadline_passed"],
      ]);
    });

  });

  describe("through the API", () => {
    let stack: Stack;
    before(async () => {
      // A generous request timeout: under load, 100 requests at once may queue for seconds.
      stack = await startStack({ env: { REQUEST_TIMEOUT_MS: "20000" } });
      await stack.importLines([...DIRECTORY, departmentUser("u1")]);
    });
    after(async () => stack?.close());

    it("answers many concurrent requests, each with a URL and exactly one issued event", async function () {
      this.timeout(30_000);
      const token = stack.token("client", "app1");
      const responses = await Promise.all(Array.from({ length: 100 }, () => stack.post(BODY, { token })));
      const bodies = (await Promise.all(responses.map((r) => r.json()))) as Array<{ contentUrl: string }>;
      expect(responses.map((r) => r.status)).to.deep.equal(responses.map(() => 200));
      const ids = responses.map((r) => r.headers.get("X-Request-Id"));
      const events = (await stack.auditEvents()).filter((e) => ids.includes(e.requestId as string));
      expect(events).to.have.length(100);
      expect(new Set(events.map((e) => e.requestId)).size).to.equal(100);
      expect(events.every((e) => e.outcome === "issued")).to.equal(true);
      expect(bodies.every((b) => b.contentUrl.startsWith(stack.s3.endpoint))).to.equal(true);
    });

    it("applies a revoked permission on the very next request", async () => {
      const token = stack.token("user", "u1");
      expect((await stack.post(BODY, { token })).status).to.equal(200);
      await stack.importLines([departmentUser("u1", { actions: [] })]);
      const res = await stack.post(BODY, { token });
      expect(res.status).to.equal(403);
      expect(((await res.json()) as { code: string }).code).to.equal("403-178");
    });
  });
});
