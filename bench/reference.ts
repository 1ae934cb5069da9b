/**
 * The benchmark's in-process reference: the same modules as the real system (token check,
 * validation, rate limit, directory read, policy, presign, result + audit write, metrics and logs)
 * in one Koa process, with the sign job run directly instead of through the queue. queued ÷ reference is the queue hop's cost.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createApp } from "../api/app.js";
import { createTokenVerifier, loadVerificationKeys } from "../api/tokens.js";
import { Clock } from "../shared/redis/clock.js";
import { loadConfig } from "../shared/runtime/config.js";
import { Durability } from "../shared/redis/durability.js";
import { keysFor } from "../shared/redis/keys.js";
import { createLogger } from "../shared/runtime/log.js";
import { createMetrics } from "../shared/runtime/metrics.js";
import { createRateLimiter } from "../api/rate-limit.js";
import { createRedis } from "../shared/redis/client.js";
import { createApiMetrics } from "../api/metrics.js";
import { RefusalBudget } from "../api/refusal-budget.js";
import { createPresigner } from "../worker/presign.js";
import { signJob, type SignContext } from "../worker/sign.js";

const config = loadConfig();
const log = createLogger("reference", config.logLevel);
const keys = keysFor(config);
const redis = createRedis(config.redis, "command", { log, commandTimeoutMs: config.redisCommandTimeoutMs });
const metrics = createMetrics("api");
const durability = new Durability(config.redisWaitReplicas, config.redisWaitTimeoutMs);
const workerRedis = createRedis(config.redis, "worker", { log });
// Separate connections where WAIT holds them, as the worker and the API have.
const waits = config.redisWaitReplicas > 0;
const ctx: SignContext = {
  redis: workerRedis,
  writer: waits ? createRedis(config.redis, "worker", { log }) : workerRedis,
  keys,
  presign: createPresigner(config.s3),
  ttlSeconds: config.signedUrlTtlSeconds,
  auditRetentionDays: config.auditRetentionDays,
  durability,
  // One process, one clock: the deadlines it sets are the ones it checks.
  clock: new Clock(),
  log,
};
const auditRedis = waits ? createRedis(config.redis, "command", { log, commandTimeoutMs: config.redisCommandTimeoutMs }) : redis;
const refusalBudget = new RefusalBudget(redis, auditRedis, keys, durability, log, config.unauthenticatedRateLimit);
refusalBudget.start();
const app = createApp({
  sign: async (jobId, data) => ({ result: await signJob(ctx, jobId, data), timedOut: false }),
  clock: ctx.clock,
  instanceId: "reference",
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
  verifyToken: createTokenVerifier(config.jwt, loadVerificationKeys(config.jwt)),
  rateLimiter: createRateLimiter(redis, keys, config.rateLimit),
  refusalBudget,
  metrics: createApiMetrics(metrics.registry, { liveWorkers: async () => 0, pendingReplies: () => 0 }),
  registry: metrics.registry,
  redisTimeoutMs: config.redisCommandTimeoutMs,
  maxTtlSeconds: config.signedUrlMaxTtlSeconds,
  // No queue: no replies to wait for, no shards to agree on.
  local: () => ({ ready: true, checks: {} }),
});
const server = createServer(app.callback()).listen(config.port, () => {
  log.info({ port: (server.address() as AddressInfo).port }, "reference listening");
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
