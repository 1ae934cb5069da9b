/**
 * The whole system in the test process: API on port 0, worker, real Redis (own key prefix per
 * stack), real S3 server. `close()` stops everything and deletes the stack's keys.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { Ajv2020 } from "ajv/dist/2020.js";
import ajvFormats from "ajv-formats";
import type { Redis } from "ioredis";
import jwt from "jsonwebtoken";
import { startApi, type RunningApi } from "../../api/server.js";
import { loadConfig, type Config } from "../../shared/runtime/config.js";
import { readDirectory, writeDirectory } from "../../shared/redis/directory-store.js";
import { Durability } from "../../shared/redis/durability.js";
import { keysFor, type Keys } from "../../shared/redis/keys.js";
import { createLogger, type LogDestination } from "../../shared/runtime/log.js";
import { createRedis, dataNodes, type RedisClient } from "../../shared/redis/client.js";
import type { Presign } from "../../worker/presign.js";
import { startWorker, type RunningWorker } from "../../worker/worker.js";
import { compareIds } from "../../cli/audit/merge.js";
import { EMBEDDED_S3_CREDENTIALS, startEmbeddedS3, type EmbeddedS3 } from "../../dev/embedded-s3.js";
import { TEST_SECRET } from "./secrets.js";

/** Settlements that wait for no replica: the test Redis has none. */
export const NO_WAIT = new Durability(0, 1);

export { TEST_SECRET };
export const TEST_BUCKET = "attachments";

export interface StackOptions {
  /** Extra or overriding environment for the config. */
  readonly env?: Record<string, string>;
  /** Start a worker (default true). */
  readonly worker?: boolean;
  /** The worker's presigner instead of the one it builds from the config (to make it fail). */
  readonly presign?: Presign;
  /** Where the API's and worker's log lines go (default stdout); set `LOG_LEVEL` in `env` to see any. */
  readonly logDestination?: LogDestination;
}

export interface Stack {
  /** The environment the stack's config was read from, for processes that join it. */
  readonly env: Readonly<Record<string, string>>;
  readonly config: Config;
  readonly keys: Keys;
  readonly redis: RedisClient;
  readonly s3: EmbeddedS3;
  readonly api: RunningApi;
  worker: RunningWorker | undefined;
  token(actor: string, sub: string, claims?: Record<string, unknown>): string;
  post(body: unknown, options?: { token?: string; headers?: Record<string, string> }): Promise<Response>;
  importLines(lines: ReadonlyArray<Record<string, unknown>>): Promise<void>;
  /** Every event in the stack's audit stream, oldest first, each checked against the published schema. */
  auditEvents(): Promise<Array<Record<string, unknown>>>;
  close(): Promise<void>;
}

const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
// ajv-formats is CommonJS: under NodeNext its default import is the module, the plugin is `.default`.
ajvFormats.default(ajv);
const auditSchema = ajv.compile(JSON.parse(readFileSync(new URL("../../schema/audit-event.schema.json", import.meta.url), "utf8")) as object);

/** Checks one audit event against the published schema. @throws Error naming every violation. */
export function assertAuditEvent(event: unknown): asserts event is Record<string, unknown> {
  if (!auditSchema(event)) {
    throw new Error(`audit event does not match schema/audit-event.schema.json: ${ajv.errorsText(auditSchema.errors)}\n${JSON.stringify(event)}`);
  }
}

export function testEnv(prefix: string, s3Endpoint: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PORT: "0",
    REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
    KEY_PREFIX: prefix,
    S3_ENDPOINT: s3Endpoint,
    S3_BUCKET: TEST_BUCKET,
    S3_FORCE_PATH_STYLE: "true",
    AWS_ACCESS_KEY_ID: EMBEDDED_S3_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: EMBEDDED_S3_CREDENTIALS.secretAccessKey,
    JWT_SECRET: TEST_SECRET,
    REQUEST_TIMEOUT_MS: "3000",
    WORKER_CONCURRENCY: "8",
    WORKER_HTTP_PORT: "0",
    // Tests send bursts as one actor; the rate-limit tests turn the limit on.
    RATE_LIMIT_PER_SECOND: "0",
    // Tests send many refused requests from one address; the refusal budget's tests turn it on.
    UNAUTHENTICATED_RATE_LIMIT_PER_SECOND: "0",
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    ...extra,
  };
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const prefix = `t${randomBytes(4).toString("hex")}`;
  const s3Dir = mkdtempSync(join(tmpdir(), "pd-s3-"));
  const s3 = await startEmbeddedS3({ directory: s3Dir, bucket: TEST_BUCKET });
  const env = testEnv(prefix, s3.endpoint, options.env);
  const config = loadConfig(env);
  const log = createLogger("test", config.logLevel, options.logDestination);
  const keys = keysFor(config);
  // Fault tests kill this Redis; the service's own clients report that, this one need not.
  const redis = createRedis(config.redis, "worker", { name: "predownload-test" });
  const api = await startApi(config, log);
  const worker = options.worker === false ? undefined : await startWorker(config, log, { presign: options.presign });

  const stack: Stack = {
    env,
    config,
    keys,
    redis,
    s3,
    api,
    worker,
    token(actor, sub, claims = {}) {
      return jwt.sign({ actor, sub, ...claims }, TEST_SECRET, { algorithm: "HS256", expiresIn: 300 });
    },
    post(body, opts = {}) {
      const headers: Record<string, string> = { "Content-Type": "application/json", ...opts.headers };
      if (opts.token !== undefined) headers.Authorization = `Bearer ${opts.token}`;
      return fetch(`${api.url}/assets/predownload`, { method: "POST", headers, body: typeof body === "string" ? body : JSON.stringify(body) });
    },
    async importLines(lines) {
      const parsed = await readDirectory(Readable.from(lines.map((l) => JSON.stringify(l)).join("\n")));
      if (parsed.errors.length > 0) throw new Error(parsed.errors.map((e) => e.message).join("; "));
      await writeDirectory(redis, keys, parsed.entries);
    },
    async auditEvents() {
      // Every shard's stream, merged in the order of their ids (the time each event was appended).
      const perStream = await Promise.all(keys.auditStreams.map((stream) => redis.xrange(stream, "-", "+")));
      const entries = perStream.flat().sort(([a], [b]) => compareStreamIds(a, b));
      return entries.map(([, fields]) => {
        const event: unknown = JSON.parse(fields[1]!);
        assertAuditEvent(event);
        return event;
      });
    },
    async close() {
      // Whatever fails on the way (a Redis that is now a replica refuses the DEL), everything the
      // stack opened is closed: a test that leaves a handle open fails the run.
      try {
        await api.close();
        await stack.worker?.close();
        await deleteKeys(redis, `${prefix}:*`);
      } finally {
        redis.disconnect();
        await s3.close();
        rmSync(s3Dir, { recursive: true, force: true });
      }
    },
  };
  return stack;
}

/** Orders stream ids as Redis does (the audit CLI's own comparison). */
export const compareStreamIds = compareIds;

/** Deletes every key matching `pattern`, on every master of a cluster. */
export async function deleteKeys(client: RedisClient, pattern: string): Promise<void> {
  await Promise.all(dataNodes(client).map((node) => deleteNodeKeys(node, pattern)));
}

async function deleteNodeKeys(redis: Redis, pattern: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, batch] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
    cursor = next;
    // One DEL per key: on a cluster node the keys of one batch may lie in different slots.
    if (batch.length > 0) await Promise.all(batch.map((key) => redis.del(key)));
  } while (cursor !== "0");
}
