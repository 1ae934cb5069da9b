/** The worker process's parts: BullMQ consumer of sign jobs, directory reads, presigner. */
import { Worker } from "bullmq";
import type { Config } from "../shared/config.js";
import type { SignJobData, SignJobName, SignJobReturn } from "../shared/job.js";
import { keys as makeKeys, SIGN_QUEUE } from "../shared/keys.js";
import type { Logger } from "../shared/log.js";
import { createRedis } from "../shared/redis.js";
import { createPresigner, type Presign } from "./presign.js";
import { signJob, type SignContext } from "./sign.js";

export interface RunningWorker {
  readonly worker: Worker<SignJobData, SignJobReturn, SignJobName>;
  /** Finishes active jobs, then disconnects. */
  close(): Promise<void>;
}

/** What a worker may be given instead of what it would build from the configuration. */
export interface WorkerParts {
  readonly presign?: Presign;
}

export async function startWorker(config: Config, log: Logger, parts: WorkerParts = {}): Promise<RunningWorker> {
  const keys = makeKeys(config.keyPrefix, config.auditStream);
  const redis = createRedis(config.redisUrl, "worker", log);
  const ctx: SignContext = { redis, keys, presign: parts.presign ?? createPresigner(config.s3), ttlSeconds: config.signedUrlTtlSeconds, auditRetentionDays: config.auditRetentionDays, log };

  const connection = createRedis(config.redisUrl, "worker", log);
  const worker = new Worker<SignJobData, SignJobReturn, SignJobName>(SIGN_QUEUE, async (job) => (await signJob(ctx, job.id!, job.data)).outcome, {
    connection,
    prefix: config.keyPrefix,
    concurrency: config.workerConcurrency,
    removeOnComplete: { count: 0 },
    removeOnFail: { age: 24 * 3600, count: 1000 },
  });
  worker.on("error", (error) => log.error({ err: error }, "worker error"));
  worker.on("failed", (job, error) => log.warn({ err: error, jobId: job?.id, requestId: job?.data.requestId }, "sign job failed"));
  await worker.waitUntilReady();

  return {
    worker,
    async close() {
      await worker.close();
      await Promise.all([redis, connection].map((client) => client.quit().catch(() => client.disconnect())));
    },
  };
}
