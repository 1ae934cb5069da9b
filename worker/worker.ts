/** The worker process's parts: BullMQ consumers of sign jobs (one per queue shard), directory reads, presigner, heartbeat, health server. */
import { randomUUID } from "node:crypto";
import { Queue, UnrecoverableError, Worker, type Job } from "bullmq";
import { syncClock } from "../shared/redis/clock.js";
import type { Config } from "../shared/runtime/config.js";
import { Durability } from "../shared/redis/durability.js";
import { beat, forget, HEARTBEAT_INTERVAL_MS, liveShardCounts } from "../shared/redis/heartbeat.js";
import { REDEEM_JOB, SIGN_QUEUE, signWorkerOptions, type JobData, type JobName, type JobReturn, type RedeemJobData, type SignJobData } from "../shared/domain/job.js";
import { keysFor } from "../shared/redis/keys.js";
import type { Logger } from "../shared/runtime/log.js";
import { createMetrics, queueGauges } from "../shared/runtime/metrics.js";
import { checkEvictionPolicy, closeRedis, createRedis, redisErrorCode, whenReady } from "../shared/redis/client.js";
import { redisCondition } from "../shared/redis/condition.js";
import { guardShardCount } from "../shared/redis/shard-count.js";
import { throttledLog } from "../shared/runtime/throttled-log.js";
import { Shutdown } from "../shared/runtime/shutdown.js";
import { sampledTraceId, startTracing } from "../shared/runtime/tracing.js";
import { within } from "../shared/runtime/within.js";
import { startWorkerHttp, type WorkerHttp } from "./http.js";
import { createWorkerMetrics } from "./metrics.js";
import { createPresigner, type Presign } from "./presign.js";
import { redeemJob } from "./redeem.js";
import { loadSealKey } from "../shared/runtime/seal-key.js";
import { startAuditSealer } from "./sealer.js";
import { signJob, type SignContext } from "./sign.js";

export interface RunningWorker {
  /** One BullMQ worker per queue shard. */
  readonly workers: ReadonlyArray<Worker<JobData, JobReturn, JobName>>;
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
/** What a step that closes several things at once, each bounded by CLOSE_STEP_MS, is allowed beyond that. */
const CLOSE_MARGIN_MS = 500;

export async function startWorker(config: Config, log: Logger, parts: WorkerParts = {}): Promise<RunningWorker> {
  const id = randomUUID();
  const keys = keysFor(config);
  const sealKey = config.auditSeal === undefined ? undefined : loadSealKey(config.auditSeal.keyFile);
  const shared = createMetrics("worker");
  const metrics = createWorkerMetrics(shared.registry);
  const redisOptions = { log, onError: shared.onRedisError };
  const shutdown = new Shutdown(log);
  const redis = createRedis(config.redis, "worker", redisOptions);
  // Every connection closes last, together, each bounded by closeRedis itself.
  const clients = new Set([redis]);
  shutdown.add("redis", () => Promise.all([...clients].map((client) => closeRedis(client, CLOSE_STEP_MS))), { boundMs: CLOSE_STEP_MS + CLOSE_MARGIN_MS });
  const shardCount = await guardShardCount(redis, keys, log, STARTUP_WAIT_MS).catch((error: unknown) => {
    redis.disconnect();
    throw error;
  });
  // Jobs wait for the first measurement: a host whose clock is off would otherwise take fresh jobs for dead ones.
  const sync = syncClock(redis, { maxSkewMs: config.maxClockSkewMs, registry: shared.registry, log });
  shutdown.add("clock sync", () => sync.stop(), { boundMs: CLOSE_STEP_MS, phase: "intake" });
  await within(sync.first, STARTUP_WAIT_MS).catch(() => undefined);
  // WAIT holds its connection until the replicas answer: settlements then get one of their own.
  const tracing = await startTracing(config.tracing, "worker", log);
  shutdown.add("tracing", () => tracing.shutdown(), { boundMs: CLOSE_STEP_MS });
  const writer = config.redisWaitReplicas > 0 ? createRedis(config.redis, "worker", { ...redisOptions, name: "predownload-worker-writer" }) : redis;
  clients.add(writer);
  const ctx: SignContext = {
    redis,
    writer,
    keys,
    presign: parts.presign ?? createPresigner(config.s3),
    ttlSeconds: config.signedUrlTtlSeconds,
    // With sealing on, the sealer trims (whole sealed intervals only).
    auditRetentionDays: sealKey === undefined ? config.auditRetentionDays : undefined,
    durability: new Durability(config.redisWaitReplicas, config.redisWaitTimeoutMs),
    clock: sync.clock,
    log,
    tracing,
    // Whatever this worker's CONTENT_URL_MODE: the API decides the mode of each request.
    grants: { maxUses: config.grantMaxUses, redirectTtlSeconds: config.grantRedirectTtlSeconds },
  };
  whenReady(redis, () => void checkEvictionPolicy(redis, log));
  const sealer = startAuditSealer(config, sealKey, sync.clock, log, redisOptions);
  // After the active jobs (drain runs in reverse order): their events are sealed by the next sealer.
  if (sealer !== undefined) shutdown.add("audit sealer", () => sealer.stop(), { boundMs: CLOSE_STEP_MS, phase: "drain" });

  const connection = createRedis(config.redis, "worker", redisOptions);
  clients.add(connection);
  // A Redis that refuses every write (a replica, a full one) fails every job and every fetch.
  const noisy = throttledLog(log);
  const runJob = async (job: Job<JobData, JobReturn, JobName>): Promise<JobReturn> => {
    await sync.clock.synced;
    const attributes = { "messaging.system": "bullmq", "messaging.operation.type": "process", "messaging.destination.name": SIGN_QUEUE, "messaging.message.id": job.id, "predownload.request_id": job.data.requestId, "predownload.attempt": job.attemptsMade + 1 };
    return tracing.inSpan(`process ${SIGN_QUEUE}`, { kind: "consumer", attributes, parent: { traceparent: job.data.traceparent } }, async (span) => {
      const started = process.hrtime.bigint();
      let outcome = "failed";
      try {
        // Traced here, or only by the API (this worker's tracing off): either way the event names the trace.
        const traceId = span.traceId ?? sampledTraceId(job.data.traceparent);
        if (job.name === REDEEM_JOB) {
          outcome = (await redeemJob(ctx, ctx.grants!, job.id!, job.data as RedeemJobData, traceId)).outcome;
        } else {
          outcome = (await signJob(ctx, job.id!, job.data as SignJobData, traceId)).outcome;
        }
        span.setAttributes({ "predownload.outcome": outcome });
        return outcome as JobReturn;
      } catch (error) {
        // Nobody waits for the answer any more: a retry would only take a worker from fresh jobs.
        if (sync.clock.now() > job.data.deadline) throw new UnrecoverableError(`not retried, its deadline has passed: ${(error as Error).message}`);
        throw error;
      } finally {
        metrics.jobs.inc({ outcome });
        metrics.jobDuration.observe({ outcome }, Number(process.hrtime.bigint() - started) / 1e9);
      }
    });
  };
  const workers = keys.shards.map((shard) => {
    const worker = new Worker<JobData, JobReturn, JobName>(SIGN_QUEUE, runJob, {
      ...signWorkerOptions(config.workerLockMs),
      connection,
      prefix: shard.queuePrefix,
      concurrency: config.workerConcurrency,
    });
    worker.on("error", (error) => noisy("error", `worker error:${errorKind(error)}`, { err: error, shard: shard.index }, "worker error"));
    worker.on("failed", (job, error) => noisy("warn", `job failed:${errorKind(error)}`, { err: error, jobId: job?.id, requestId: job?.data.requestId, traceId: sampledTraceId(job?.data.traceparent) ?? undefined }, "sign job failed"));
    return worker;
  });
  // Active jobs end by their deadline; a worker whose Redis went away may never hear back from
  // BullMQ, so its close is bounded and then forced.
  shutdown.add("active jobs", () => Promise.all(workers.map((w) => w.close())), {
    phase: "drain",
    boundMs: config.requestTimeoutMs + config.workerLockMs,
    overrun: () => within(Promise.all(workers.map((w) => w.close(true))), CLOSE_STEP_MS),
  });
  // Bounded: with Redis down at start the worker still comes up (its health port says not ready)
  // and starts taking jobs when Redis returns.
  await within(Promise.all(workers.map((w) => w.waitUntilReady())), STARTUP_WAIT_MS).catch(() => log.warn("Redis not reachable yet; the worker waits for it"));

  const queues = keys.shards.map((shard) => {
    const queue = new Queue<JobData, JobReturn, JobName>(SIGN_QUEUE, { connection: redis, prefix: shard.queuePrefix });
    queue.on("error", (error) => noisy("warn", `queue error:${errorKind(error)}`, { err: error, shard: shard.index }, "queue error"));
    return queue;
  });
  shutdown.add("queues", () => Promise.all(queues.map((queue) => queue.close())), { boundMs: CLOSE_STEP_MS });
  queueGauges(shared.registry, queues, () => sync.clock.now());

  const heartbeat = () =>
    beat(redis, keys, id).then(
      () => metrics.heartbeats.inc(),
      (error: unknown) => noisy("warn", `heartbeat:${errorKind(error)}`, { err: error }, "heartbeat not written"),
    );
  // The heartbeat waits for its previous write: a Redis that is slow to answer gets no pile-up.
  let beating = true;
  let beatDone: Promise<void> = heartbeat();
  const timer = setInterval(() => {
    if (beating) beatDone = beatDone.then(heartbeat);
  }, HEARTBEAT_INTERVAL_MS);
  shutdown.add(
    "heartbeat timer",
    () => {
      beating = false;
      clearInterval(timer);
    },
    { phase: "intake", boundMs: CLOSE_STEP_MS },
  );
  // The last write first, then the record: a late beat would otherwise bring it back.
  shutdown.add(
    "heartbeat",
    async () => {
      await within(beatDone, CLOSE_STEP_MS).catch(() => undefined);
      await forget(redis, keys, id);
    },
    { boundMs: 2 * CLOSE_STEP_MS },
  );

  const http = await startWorkerHttp(config.workerHttpPort, config.workerHttpHost, shared.registry, async () => {
    const running = workers.every((w) => w.isRunning() && !w.closing);
    const condition = await redisCondition(redis, config.redisCommandTimeoutMs);
    const fleet = condition === "unreachable" ? [] : await within(liveShardCounts(redis, keys), config.redisCommandTimeoutMs).catch(() => []);
    const agreed = shardCount.problem === undefined && fleet.every((count) => count === keys.shards.length);
    return {
      ready: condition === "ok" && running && agreed,
      checks: { redis: condition, worker: running ? "running" : "stopped", shards: agreed ? "agreed" : "mismatch" },
    };
  });
  shutdown.add("health http", () => http.close(), { boundMs: CLOSE_STEP_MS });

  return {
    workers,
    id,
    http,
    async close() {
      await shutdown.close();
    },
  };
}

/** What an error is, for counting repeats: Redis's error code, or the error's own code or name. */
function errorKind(error: unknown): string {
  return redisErrorCode(error) ?? (error as NodeJS.ErrnoException).code ?? (error as Error).name;
}
