/** The worker process's parts: BullMQ consumers of sign jobs (one per queue shard), directory reads, presigner, heartbeat, health server. */
import { randomUUID } from "node:crypto";
import { Queue, Worker, type Job } from "bullmq";
import type { Config } from "../shared/config.js";
import { Durability } from "../shared/durability.js";
import { beat, forget, HEARTBEAT_INTERVAL_MS } from "../shared/heartbeat.js";
import type { SignJobData, SignJobName, SignJobReturn } from "../shared/job.js";
import { keysFor, SIGN_QUEUE } from "../shared/keys.js";
import type { Logger } from "../shared/log.js";
import { createMetrics, queueGauge } from "../shared/metrics.js";
import { checkEvictionPolicy, closeRedis, createRedis, isConnected, whenReady } from "../shared/redis.js";
import { guardShardCount } from "../shared/shard-count.js";
import { within } from "../shared/within.js";
import { startWorkerHttp, type WorkerHttp } from "./http.js";
import { createWorkerMetrics } from "./metrics.js";
import { createPresigner, type Presign } from "./presign.js";
import { signJob, type SignContext } from "./sign.js";

export interface RunningWorker {
  /** One BullMQ worker per queue shard. */
  readonly workers: ReadonlyArray<Worker<SignJobData, SignJobReturn, SignJobName>>;
  /** The id this worker's heartbeat carries. */
  readonly id: string;
  readonly http: WorkerHttp;
  /** Finishes active jobs, then disconnects. */
  close(): Promise<void>;
}

/** What a worker may be given instead of what it would build from the configuration. */
export interface WorkerParts {
  readonly presign?: Presign;
}

/** How long start-up waits for Redis before going on without it. */
const STARTUP_WAIT_MS = 1000;
/** The longest a stopping worker waits for one of its Redis connections or queues to close. */
const CLOSE_STEP_MS = 2000;

export async function startWorker(config: Config, log: Logger, parts: WorkerParts = {}): Promise<RunningWorker> {
  const id = randomUUID();
  const keys = keysFor(config);
  const shared = createMetrics("worker");
  const metrics = createWorkerMetrics(shared.registry);
  const redisOptions = { log, onError: shared.onRedisError };
  const redis = createRedis(config.redis, "worker", redisOptions);
  const shardCount = await guardShardCount(redis, keys, log, STARTUP_WAIT_MS).catch((error: unknown) => {
    redis.disconnect();
    throw error;
  });
  // WAIT holds its connection until the replicas answer: settlements then get one of their own.
  const writer = config.redisWaitReplicas > 0 ? createRedis(config.redis, "worker", { ...redisOptions, name: "predownload-worker-writer" }) : redis;
  const ctx: SignContext = {
    redis,
    writer,
    keys,
    presign: parts.presign ?? createPresigner(config.s3),
    ttlSeconds: config.signedUrlTtlSeconds,
    auditRetentionDays: config.auditRetentionDays,
    durability: new Durability(config.redisWaitReplicas, config.redisWaitTimeoutMs),
    log,
  };
  whenReady(redis, () => void checkEvictionPolicy(redis, log));

  const connection = createRedis(config.redis, "worker", redisOptions);
  const runJob = async (job: Job<SignJobData, SignJobReturn, SignJobName>): Promise<SignJobReturn> => {
    const started = process.hrtime.bigint();
    let outcome = "failed";
    try {
      outcome = (await signJob(ctx, job.id!, job.data)).outcome;
      return outcome as SignJobReturn;
    } finally {
      metrics.jobs.inc({ outcome });
      metrics.jobDuration.observe({ outcome }, Number(process.hrtime.bigint() - started) / 1e9);
    }
  };
  const workers = keys.shards.map((shard) => {
    const worker = new Worker<SignJobData, SignJobReturn, SignJobName>(SIGN_QUEUE, runJob, {
      connection,
      prefix: shard.queuePrefix,
      concurrency: config.workerConcurrency,
      // A worker that dies mid-job loses its lock within WORKER_LOCK_MS; the stalled check, run
      // twice as often, then hands the job to another worker while its deadline may still allow.
      lockDuration: config.workerLockMs,
      stalledInterval: Math.max(Math.floor(config.workerLockMs / 2), 250),
      removeOnComplete: { count: 0 },
      removeOnFail: { age: 24 * 3600, count: 1000 },
    });
    worker.on("error", (error) => log.error({ err: error, shard: shard.index }, "worker error"));
    worker.on("failed", (job, error) => log.warn({ err: error, jobId: job?.id, requestId: job?.data.requestId }, "sign job failed"));
    return worker;
  });
  // Bounded: with Redis down at start the worker still comes up (its health port says not ready)
  // and starts taking jobs when Redis returns.
  await within(Promise.all(workers.map((w) => w.waitUntilReady())), STARTUP_WAIT_MS).catch(() => log.warn("Redis not reachable yet; the worker waits for it"));

  const queues = keys.shards.map((shard) => {
    const queue = new Queue(SIGN_QUEUE, { connection: redis, prefix: shard.queuePrefix });
    queue.on("error", (error) => log.warn({ err: error, shard: shard.index }, "queue error"));
    return queue;
  });
  queueGauge(shared.registry, queues);

  const heartbeat = () =>
    beat(redis, keys, id).then(
      () => metrics.heartbeats.inc(),
      (error: unknown) => log.warn({ err: error }, "heartbeat not written"),
    );
  // The heartbeat waits for its previous write: a Redis that is slow to answer gets no pile-up.
  let beating = true;
  let beatDone: Promise<void> = heartbeat();
  const timer = setInterval(() => {
    if (beating) beatDone = beatDone.then(heartbeat);
  }, HEARTBEAT_INTERVAL_MS);

  const http = await startWorkerHttp(config.workerHttpPort, shared.registry, async () => {
    const running = workers.every((w) => w.isRunning() && !w.closing);
    const reachable = isConnected(redis) && (await within(redis.ping(), config.redisCommandTimeoutMs).then(() => true, () => false));
    const agreed = shardCount.problem === undefined;
    return {
      ready: reachable && running && agreed,
      checks: { redis: reachable ? "ok" : "unreachable", worker: running ? "running" : "stopped", shards: agreed ? "agreed" : "mismatch" },
    };
  });

  return {
    workers,
    id,
    http,
    async close() {
      beating = false;
      clearInterval(timer);
      // Active jobs end by their deadline; a worker whose Redis went away may never hear back from
      // BullMQ, so its close is bounded and then forced, and every later step is bounded too.
      const finishing = Promise.all(workers.map((w) => w.close()));
      await within(finishing, config.requestTimeoutMs + config.workerLockMs).catch(async () => {
        log.warn("active jobs did not finish in time; stopping without them");
        await within(Promise.all(workers.map((w) => w.close(true))), CLOSE_STEP_MS).catch(() => undefined);
      });
      await within(beatDone, CLOSE_STEP_MS).catch(() => undefined);
      await within(forget(redis, keys, id), CLOSE_STEP_MS).catch(() => undefined);
      await http.close();
      await within(Promise.all(queues.map((queue) => queue.close())), CLOSE_STEP_MS).catch(() => undefined);
      await Promise.all([...new Set([redis, writer, connection])].map((client) => closeRedis(client, CLOSE_STEP_MS)));
    },
  };
}
