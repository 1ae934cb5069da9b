/** The API process's parts, wired once: Redis clients, queue producer, reply listener, HTTP server. */
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type Koa from "koa";
import type { State } from "./state.js";
import type { AddressInfo } from "node:net";
import { Queue } from "bullmq";
import { syncClock } from "../shared/redis/clock.js";
import type { Config } from "../shared/runtime/config.js";
import { Durability } from "../shared/redis/durability.js";
import { liveWorkers } from "../shared/redis/heartbeat.js";
import { SIGN_JOB_OPTIONS, SIGN_QUEUE, type JobData, type JobName, type JobReturn } from "../shared/domain/job.js";
import { keysFor } from "../shared/redis/keys.js";
import type { Logger } from "../shared/runtime/log.js";
import { createMetrics, queueGauges } from "../shared/runtime/metrics.js";
import { createRateLimiter } from "./rate-limit.js";
import { checkEvictionPolicy, closeRedis, createRedis, whenReady } from "../shared/redis/client.js";
import { guardShardCount } from "../shared/redis/shard-count.js";
import { Shutdown } from "../shared/runtime/shutdown.js";
import { startTracing } from "../shared/runtime/tracing.js";
import { within } from "../shared/runtime/within.js";
import { createApp, type AppDeps } from "./app.js";
import { backlogOrder } from "./backlog.js";
import { localReadiness } from "./routes/health.js";
import { createApiMetrics } from "./metrics.js";
import { RefusalBudget } from "./refusal-budget.js";
import { queuedJobs, ReplyWaits } from "./reply-waits.js";
import { createTokenVerifier, loadVerificationKeys } from "./tokens.js";

export interface RunningApi {
  readonly server: Server;
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  /** Base URL of the `/health/*` and `/metrics` listener when `OPS_PORT` is set; undefined when they are served on `url`. */
  readonly opsUrl: string | undefined;
  /** Stops accepting, lets in-flight requests finish, then disconnects. */
  close(): Promise<void>;
}

/** How often a stopping API closes connections that have gone idle (keep-alive ones, after their last answer). */
const IDLE_SWEEP_MS = 50;
/** The longest a stopping API waits for one of its Redis connections or queues to close. */
const CLOSE_STEP_MS = 2000;
/** What a step that closes several things at once, each bounded by CLOSE_STEP_MS, is allowed beyond that. */
const CLOSE_MARGIN_MS = 500;

export async function startApi(config: Config, log: Logger): Promise<RunningApi> {
  const verifyToken = createTokenVerifier(config.jwt, loadVerificationKeys(config.jwt));
  const keys = keysFor(config);
  const tracing = await startTracing(config.tracing, "api", log);
  const shared = createMetrics("api");
  const redisOptions = { log, commandTimeoutMs: config.redisCommandTimeoutMs, onError: shared.onRedisError };
  const shutdown = new Shutdown(log);
  // Registered first, so it runs last: spans of the steps before it are still exported.
  shutdown.add("tracing", () => tracing.shutdown(), { boundMs: CLOSE_STEP_MS });
  const redis = createRedis(config.redis, "command", redisOptions);
  // Every connection closes last, together, each bounded by closeRedis itself.
  const clients = new Set([redis]);
  shutdown.add("redis", () => Promise.all([...clients].map((client) => closeRedis(client, CLOSE_STEP_MS))), { boundMs: CLOSE_STEP_MS + CLOSE_MARGIN_MS });
  const shardCount = await guardShardCount(redis, keys, log, config.redisCommandTimeoutMs).catch((error: unknown) => {
    redis.disconnect();
    throw error;
  });
  const sync = syncClock(redis, { maxSkewMs: config.maxClockSkewMs, registry: shared.registry, log });
  shutdown.add("clock sync", () => sync.stop(), { boundMs: CLOSE_STEP_MS });
  await within(sync.first, config.redisCommandTimeoutMs).catch(() => undefined);
  const subscriber = createRedis(config.redis, "subscriber", redisOptions);
  clients.add(subscriber);
  // WAIT holds its connection until the replicas answer: the API's audit appends then get one of their
  // own. A command there may wait behind a WAIT, so it may take REDIS_WAIT_TIMEOUT_MS longer.
  const auditRedis =
    config.redisWaitReplicas > 0
      ? createRedis(config.redis, "command", { ...redisOptions, commandTimeoutMs: config.redisCommandTimeoutMs + config.redisWaitTimeoutMs, name: "predownload-audit-writer" })
      : redis;
  clients.add(auditRedis);
  const instanceId = randomUUID();
  const replies = new ReplyWaits(subscriber, redis, keys, instanceId, log, sync.clock);
  const queues = keys.shards.map((shard) => {
    const queue = new Queue<JobData, JobReturn, JobName>(SIGN_QUEUE, {
      connection: redis,
      prefix: shard.queuePrefix,
      defaultJobOptions: SIGN_JOB_OPTIONS,
    });
    queue.on("error", (error) => log.warn({ err: error, shard: shard.index }, "queue error"));
    return queue;
  });
  // Bounded: after a Redis outage a queue's close may never be answered.
  shutdown.add("queues", () => Promise.all(queues.map((queue) => queue.close())), { boundMs: CLOSE_STEP_MS });
  // Bounded: with Redis down at start the API still comes up and serves (503s, readiness); the
  // subscription completes when Redis returns.
  await within(replies.start(), config.redisCommandTimeoutMs).catch((error: unknown) => log.warn({ err: error }, "reply channel not subscribed yet"));
  whenReady(redis, () => void checkEvictionPolicy(redis, log));

  queueGauges(shared.registry, queues, () => sync.clock.now());
  const order = backlogOrder(queues, log);
  shutdown.add("backlog order", () => order.stop(), { boundMs: CLOSE_STEP_MS });
  const metrics = createApiMetrics(shared.registry, { liveWorkers: () => liveWorkers(redis, keys), pendingReplies: () => replies.size });
  const durability = new Durability(config.redisWaitReplicas, config.redisWaitTimeoutMs);
  const refusalBudget = new RefusalBudget(redis, auditRedis, keys, durability, log, config.unauthenticatedRateLimit);
  refusalBudget.start();
  shutdown.add("refusal summaries", () => refusalBudget.stop(), { boundMs: CLOSE_STEP_MS });
  const jobs = queuedJobs(queues, keys, redis, replies, order, log, tracing);
  const appDeps: AppDeps = {
    sign: jobs.sign,
    redeem: config.contentUrlMode === "grant" ? jobs.redeem : undefined,
    maxTtlSeconds: config.signedUrlMaxTtlSeconds,
    publicBaseUrl: config.contentUrlMode === "grant" ? config.publicBaseUrl : undefined,
    instanceId,
    requestTimeoutMs: config.requestTimeoutMs,
    clockToleranceSeconds: config.jwt.clockToleranceSeconds,
    tombstoneSeconds: config.directoryTombstoneDays * 86_400,
    importMaxBytes: config.directoryImportMaxBytes,
    importMinBytesPerSecond: config.directoryImportMinBytesPerSecond,
    log,
    redis,
    auditRedis,
    durability,
    keys,
    clock: sync.clock,
    verifyToken,
    rateLimiter: createRateLimiter(redis, keys, config.rateLimit),
    refusalBudget,
    metrics,
    registry: shared.registry,
    redisTimeoutMs: config.redisCommandTimeoutMs,
    local: () => localReadiness(replies.listening, shardCount.problem),
    tracing,
  };
  const app = createApp(appDeps, config.opsPort === undefined ? "all" : "api");
  app.on("error", (error: Error) => log.debug({ err: error }, "koa error"));
  const servers = [await listen(app, config.port, config)];
  if (config.opsPort !== undefined) {
    const ops = createApp(appDeps, "ops");
    ops.on("error", (error: Error) => log.debug({ err: error }, "koa error"));
    servers.push(await listen(ops, config.opsPort, config).catch((error: unknown) => {
      servers[0]!.close();
      throw error;
    }));
  }
  const [server, opsServer] = servers as [Server, Server | undefined];
  // Stops accepting and answers the requests in flight; closeServer ends the stragglers itself.
  shutdown.add("http", () => Promise.all(servers.map((s) => closeServer(s, config.requestTimeoutMs))), {
    phase: "intake",
    boundMs: config.requestTimeoutMs + 1000 + CLOSE_STEP_MS,
  });
  const urlOf = (s: Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  return {
    server,
    url: urlOf(server),
    opsUrl: opsServer === undefined ? undefined : urlOf(opsServer),
    async close() {
      await shutdown.close();
    },
  };
}

/**
 * An HTTP server for `app` on `port`, with the limits every API listener keeps: a request's headers
 * must arrive within `REQUEST_TIMEOUT_MS` (Node answers 408 and closes the connection before the
 * application sees the request); at most `MAX_CONNECTIONS` connections are open at once, further
 * ones are closed as they arrive. Node's whole-request deadline (`requestTimeout`) is off: it would
 * cut a large directory import; the app keeps that deadline instead (middleware/request-deadline.ts),
 * and the import's body is paced by its reader.
 */
async function listen(app: Koa<State>, port: number, config: Config): Promise<Server> {
  const checkMs = connectionCheckMs(config.requestTimeoutMs);
  const server = createServer(
    { headersTimeout: config.requestTimeoutMs, requestTimeout: 0, connectionsCheckingInterval: checkMs },
    app.callback(),
  );
  server.maxConnections = config.maxConnections;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, resolve);
  });
  return server;
}

/** How often Node looks for requests past their time: a fraction of the deadline, at most a second. */
function connectionCheckMs(requestTimeoutMs: number): number {
  return Math.max(25, Math.min(1000, Math.floor(requestTimeoutMs / 4)));
}

/**
 * close() refuses new connections and waits for open ones; keep-alive connections are closed as
 * soon as they are idle, so in-flight requests get their answers and nothing else waits.
 */
async function closeServer(server: Server, requestTimeoutMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
  const giveUp = setTimeout(() => server.closeAllConnections(), requestTimeoutMs + 1000);
  await closed;
  clearInterval(sweep);
  clearTimeout(giveUp);
}
