/**
 * A backlog after an outage: thousands of jobs whose callers gave up long ago are queued when a
 * worker starts. They must not delay a fresh request (newest first while there is a backlog), each
 * must still be recorded as `deadline_passed`, and none is retried.
 */
import { Queue } from "bullmq";
import { expect } from "chai";
import { SIGN_JOB, SIGN_JOB_OPTIONS, SIGN_QUEUE, type SignJobData, type SignJobName, type SignJobReturn } from "../../shared/domain/job.js";
import { createLogger } from "../../shared/runtime/log.js";
import { startWorker } from "../../worker/worker.js";
import { BODY, DIRECTORY, until } from "../support/probes.js";
import { Capture } from "../support/log-capture.js";
import { startStack, type Stack } from "../support/stack.js";

const BACKLOG = 10_000;
const log = createLogger("test", "silent");

/** The stack's sign queues, enqueued to as the API does (same options). */
function signQueues(stack: Stack): Array<Queue<SignJobData, SignJobReturn, SignJobName>> {
  return stack.keys.shards.map((shard) => new Queue<SignJobData, SignJobReturn, SignJobName>(SIGN_QUEUE, { connection: stack.redis, prefix: shard.queuePrefix, defaultJobOptions: SIGN_JOB_OPTIONS }));
}

/** Enqueues `count` jobs whose requests were given up a minute ago; resolves with their request ids. */
async function enqueueDead(stack: Stack, count: number, requestPrefix: string): Promise<string[]> {
  const queues = signQueues(stack);
  const deadline = Date.now() - 60_000;
  const jobs = Array.from({ length: count }, (_, i) => {
    const jobId = `${requestPrefix}-job-${i}`;
    const data: SignJobData = {
      requestId: `${requestPrefix}-${i}`,
      actor: { type: "client", id: "app1" },
      app: "email",
      type: "attachment.inbound",
      altId: "att1",
      requestedExpiry: null,
      deadline,
      replyTo: "an-api-long-gone",
      client: { ip: "127.0.0.1", userAgent: null },
    };
    return { jobId, data };
  });
  for (let i = 0; i < jobs.length; i += 1000) {
    const batch = jobs.slice(i, i + 1000);
    await Promise.all(
      stack.keys.shards.map((shard, index) =>
        queues[index]!.addBulk(batch.filter((j) => stack.keys.shardFor(j.jobId) === shard).map((j) => ({ name: SIGN_JOB, data: j.data, opts: { jobId: j.jobId } }))),
      ),
    );
  }
  await Promise.all(queues.map((q) => q.close()));
  return jobs.map((j) => j.data.requestId);
}

/** Starts a worker and sends one request at once: its status and id, and how long from the start to the answer. */
async function firstAnswerAfterStart(stack: Stack): Promise<{ status: number; requestId: string | null; ms: number }> {
  const token = stack.token("client", "app1");
  const started = performance.now();
  stack.worker = await startWorker(stack.config, log);
  const res = await stack.post(BODY, { token });
  await res.arrayBuffer();
  return { status: res.status, requestId: res.headers.get("X-Request-Id"), ms: performance.now() - started };
}

describe("a backlog of dead jobs after an outage", function () {
  this.timeout(120_000);
  let stack: Stack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  it(`serves a fresh request ahead of ${BACKLOG} dead jobs queued (newest first), and records each dead one as deadline_passed`, async () => {
    const apiLog = new Capture();
    stack = await startStack({ worker: false, env: { LOG_LEVEL: "info" }, logDestination: apiLog });
    await stack.importLines(DIRECTORY);
    const usual = await firstAnswerAfterStart(stack);
    expect(usual.status).to.equal(200);
    await stack.worker!.close();
    stack.worker = undefined;

    const dead = await enqueueDead(stack, BACKLOG, "dead");
    // An outage lasts longer than the API takes to notice the backlog it leaves, on every shard.
    const shards = stack.keys.shards.length;
    await until("the API to notice the backlog on every shard", 10_000, async () =>
      new Set(apiLog.lines().filter((l) => l.msg === "backlog: new sign jobs served newest first").map((l) => l.shard)).size === shards ? true : undefined,
    );
    const withBacklog = await firstAnswerAfterStart(stack);
    const drainStarted = performance.now();
    console.log(`      start to first answer: ${usual.ms.toFixed(0)} ms without a backlog, ${withBacklog.ms.toFixed(0)} ms with ${BACKLOG} dead jobs`);
    expect(withBacklog.status).to.equal(200);

    const deadIds = new Set(dead);
    // The dead jobs' events and the fresh request's, in the order they were written.
    const all = await until(`${BACKLOG} deadline_passed events`, 90_000, async () => {
      const found = (await stack!.auditEvents()).filter((e) => deadIds.has(e.requestId as string) || e.requestId === withBacklog.requestId);
      return found.length >= BACKLOG + 1 ? found : undefined;
    });
    const events = all.filter((e) => deadIds.has(e.requestId as string));
    console.log(`      backlog drained in about ${(performance.now() - drainStarted).toFixed(0)} ms`);
    expect(events).to.have.length(BACKLOG);
    expect(new Set(events.map((e) => `${e.outcome}/${e.reason}`))).to.deep.equal(new Set(["unavailable/deadline_passed"]));

    // In order, the fresh job would have waited behind every dead job of its shard. Newest first, it
    // waits only for those the worker took between its start and the request's arrival.
    const freshAt = all.findIndex((e) => e.requestId === withBacklog.requestId);
    expect(all[freshAt]).to.include({ outcome: "issued" });
    console.log(`      dead jobs recorded before the fresh one: ${freshAt} of ${BACKLOG}`);
    expect(freshAt).to.be.below(BACKLOG / 2);
  });

  it("does not retry a job whose deadline has passed when recording it fails", async () => {
    stack = await startStack({ worker: false });
    await stack.importLines(DIRECTORY);
    // A Redis fault the settlement script surely meets: the audit stream's key holds a string.
    const stream = stack.keys.shards[0]!.auditStream;
    await stack.redis.set(stream, "not a stream");
    const [requestId] = await enqueueDead(stack, 1, "unlucky");
    stack.worker = await startWorker(stack.config, log);
    const queue = signQueues(stack)[stack.keys.shardFor(`unlucky-job-0`).index]!;
    try {
      // The state first, then the job: a job read before its failure would show its attempts then.
      await until("the job's failure", 10_000, async () => ((await queue.getJobState("unlucky-job-0")) === "failed" ? true : undefined));
      const job = await queue.getJob("unlucky-job-0");
      expect(job!.data.requestId).to.equal(requestId);
      expect(job!.attemptsMade).to.equal(1);
      expect(job!.failedReason).to.match(/deadline has passed/);
    } finally {
      await queue.close();
      await stack.redis.del(stream);
    }
  });
});
