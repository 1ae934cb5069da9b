/** The API process's parts, wired once: Redis clients, queue producer, reply listener, HTTP server. */
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Queue } from "bullmq";
import type { Config } from "../shared/config.js";
import { Durability } from "../shared/durability.js";
import { liveWorkers } from "../shared/heartbeat.js";
import type { SignJobData, SignJobName, SignJobReturn } from "../shared/job.js";
import { keysFor, SIGN_QUEUE } from "../shared/keys.js";
import type { Logger } from "../shared/log.js";
import { createMetrics, queueGauge } from "../shared/metrics.js";
import { createRateLimiter } from "../shared/rate-limit.js";
import { checkEvictionPolicy, closeRedis, createRedis, whenReady } from "../shared/redis.js";
import { guardShardCount } from "../shared/shard-count.js";
import { within } from "../shared/within.js";
import { createApp } from "./app.js";
import { localReadiness } from "./health.js";
import { createApiMetrics } from "./metrics.js";
import { queuedSign, Replies } from "./replies.js";
import { createTokenVerifier, loadVerificationKeys } from "./tokens.js";

export interface RunningApi {
  readonly server: Server;
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  /** Stops accepting, lets in-flight requests finish, then disconnects. */
  close(): Promise<void>;
}

/** How often a stopping API closes connections that have gone idle (keep-alive ones, after their last answer). */
const IDLE_SWEEP_MS = 50;
/** The longest a stopping API waits for one of its Redis connections or queues to close. */
const CLOSE_STEP_MS = 2000;

export async function startApi(config: Config, log: Logger): Promise<RunningApi> {
  const verifyToken = createTokenVerifier(config.jwt, loadVerificationKeys(config.jwt));
  const keys = keysFor(config);
  const shared = createMetrics("api");
  const redisOptions = { log, commandTimeoutMs: config.redisCommandTimeoutMs, onError: shared.onRedisError };
  const redis = createRedis(config.redis, "command", redisOptions);
  const shardCount = await guardShardCount(redis, keys, log, config.redisCommandTimeoutMs).catch((error: unknown) => {
    redis.disconnect();
    throw error;
  });
  const subscriber = createRedis(config.redis, "subscriber", redisOptions);
  // WAIT holds its connection until the replicas answer: the API's audit appends then get one of their own.
  const auditRedis = config.redisWaitReplicas > 0 ? createRedis(config.redis, "command", { ...redisOptions, name: "predownload-audit-writer" }) : redis;
  const instanceId = randomUUID();
  const replies = new Replies(subscriber, redis, keys, instanceId, log);
  const queues = keys.shards.map((shard) => {
    const queue = new Queue<SignJobData, SignJobReturn, SignJobName>(SIGN_QUEUE, {
      connection: redis,
      prefix: shard.queuePrefix,
      defaultJobOptions: {
        attempts: 3,
        backoff: { type: "fixed", delay: 100 },
        removeOnComplete: true,
        removeOnFail: { age: 24 * 3600, count: 1000 },
      },
    });
    queue.on("error", (error) => log.warn({ err: error, shard: shard.index }, "queue error"));
    return queue;
  });
  // Bounded: with Redis down at start the API still comes up and serves (503s, readiness); the
  // subscription completes when Redis returns.
  await within(replies.start(), config.redisCommandTimeoutMs).catch((error: unknown) => log.warn({ err: error }, "reply channel not subscribed yet"));
  whenReady(redis, () => void checkEvictionPolicy(redis, log));

  queueGauge(shared.registry, queues);
  const metrics = createApiMetrics(shared.registry, { liveWorkers: () => liveWorkers(redis, keys), pendingReplies: () => replies.size });
  const app = createApp({
    sign: queuedSign(queues, keys, redis, replies, log),
    instanceId,
    requestTimeoutMs: config.requestTimeoutMs,
    log,
    redis,
    auditRedis,
    durability: new Durability(config.redisWaitReplicas, config.redisWaitTimeoutMs),
    keys,
    verifyToken,
    rateLimiter: createRateLimiter(redis, keys, config.rateLimit),
    metrics,
    registry: shared.registry,
    redisTimeoutMs: config.redisCommandTimeoutMs,
    local: () => localReadiness(replies.listening, shardCount.problem),
  });
  app.on("error", (error: Error) => log.debug({ err: error }, "koa error"));
  const server = createServer(app.callback());
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    async close() {
      // close() refuses new connections and waits for open ones; keep-alive connections are closed
      // as soon as they are idle, so in-flight requests get their answers and nothing else waits.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
      const giveUp = setTimeout(() => server.closeAllConnections(), config.requestTimeoutMs + 1000);
      await closed;
      clearInterval(sweep);
      clearTimeout(giveUp);
      // Each step is bounded: after a Redis outage a queue's close or a QUIT may never be answered.
      await within(Promise.all(queues.map((queue) => queue.close())), CLOSE_STEP_MS).catch(() => log.warn("queues did not close in time"));
      await Promise.all([...new Set([redis, auditRedis, subscriber])].map((client) => closeRedis(client, CLOSE_STEP_MS)));
    },
  };
}
