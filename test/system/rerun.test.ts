/**
 * A decided request stays decided: a job that runs again long after its request was answered (its
 * first worker died between settling and telling BullMQ, and another took the stalled job over
 * after the result key had expired) adds no event that contradicts the decision.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { Queue, Worker } from "bullmq";
import { expect } from "chai";
import { Clock } from "../../shared/redis/clock.js";
import { SIGN_QUEUE, type SignJobData, type SignJobName, type SignJobReturn } from "../../shared/domain/job.js";
import { createLogger } from "../../shared/runtime/log.js";
import { createPresigner } from "../../worker/presign.js";
import { signJob, type SignContext } from "../../worker/sign.js";
import { startWorker } from "../../worker/worker.js";
import { BODY, DIRECTORY, until } from "../support/probes.js";
import { NO_WAIT, startStack, type Stack } from "../support/stack.js";

const log = createLogger("test", "silent");

describe("a job run again after its result expired", function () {
  this.timeout(60_000);
  let stack: Stack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  it("adds no event to a request answered with a URL when its stalled job is taken over after the result expired", async () => {
    stack = await startStack({ worker: false, env: { REQUEST_TIMEOUT_MS: "5000", WORKER_LOCK_MS: "1000" } });
    await stack.importLines(DIRECTORY);
    const shard = stack.keys.shards[0]!;
    // The worker that dies: it takes the job, settles it (the real sign path), and never tells
    // BullMQ, so the job's lock runs out and it is left to the stalled-job check.
    const dying = new Worker<SignJobData, SignJobReturn, SignJobName>(SIGN_QUEUE, null, { connection: stack.redis, prefix: shard.queuePrefix, lockDuration: 1000 });
    const ctx: SignContext = {
      redis: stack.redis,
      writer: stack.redis,
      keys: stack.keys,
      presign: createPresigner(stack.config.s3),
      ttlSeconds: stack.config.signedUrlTtlSeconds,
      auditRetentionDays: stack.config.auditRetentionDays,
      durability: NO_WAIT,
      clock: new Clock(),
      log,
    };
    const answer = stack.post(BODY, { token: stack.token("client", "app1") });
    const job = await until("the job", 5000, () => dying.getNextJob("dying-worker"));
    await signJob(ctx, job.id!, job.data);
    const res = await answer;
    const body = (await res.json()) as { contentUrl?: string };
    expect(res.status).to.equal(200);
    expect(body.contentUrl).to.be.a("string");
    await dying.close(true);

    // The result key expires (deadline + grace); the job's hash is still there, the job still active.
    expect(await stack.redis.del(shard.result(job.id!))).to.equal(1);
    await sleep(Math.max(job.data.deadline - Date.now(), 0) + 100);
    stack.worker = await startWorker(stack.config, log);
    const queue = new Queue(SIGN_QUEUE, { connection: stack.redis, prefix: shard.queuePrefix });
    try {
      // Taken over, run again and completed (then removed): it ran to its end a second time.
      await until("the stalled job's second run", 20_000, async () => ((await queue.getJob(job.id!)) === undefined ? true : undefined));
    } finally {
      await queue.close();
    }
    const events = (await stack.auditEvents()).filter((e) => e.requestId === job.data.requestId);
    expect(events.map((e) => [e.outcome, e.reason])).to.deep.equal([["issued", null]]);
  });
});
