/**
 * The service's configuration: the only module that reads the environment. Every value is parsed
 * and checked once at start; all problems are reported together, naming each variable.
 */

import { parseRedisUrl, redactRedisUrl, RedisUrlError, type RedisTarget } from "./redis-url.js";

/** Where verification keys for bearer tokens come from. */
export interface JwtConfig {
  /** HS256 secret (at least 32 bytes), when configured. */
  readonly secret: string | undefined;
  /** PEM or JWKS file with RS256/ES256 public keys, when configured. */
  readonly publicKeyFile: string | undefined;
  readonly issuer: string | undefined;
  readonly audience: string | undefined;
  readonly clockToleranceSeconds: number;
}

export interface S3Config {
  /** Custom endpoint (MinIO, s3rver); undefined means AWS. */
  readonly endpoint: string | undefined;
  readonly region: string;
  readonly bucket: string;
  readonly forcePathStyle: boolean;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string | undefined;
}

/** Requests each actor may make: a steady rate with a burst on top. */
export interface RateLimitConfig {
  /** Requests per second per actor; 0 turns the limit off. */
  readonly perSecond: number;
  /** Requests an idle actor may make at once. */
  readonly burst: number;
}

export interface Config {
  readonly port: number;
  readonly redisUrl: string;
  /** `REDIS_URL` parsed: one server, a cluster, or Sentinel. */
  readonly redis: RedisTarget;
  /** How many sign-queue shards (each its own slot on a cluster, with its own audit stream). */
  readonly queueShards: number;
  /** Replicas each decision must reach (Redis WAIT) before its URL is handed out; 0 does not wait. */
  readonly redisWaitReplicas: number;
  readonly redisWaitTimeoutMs: number;
  readonly keyPrefix: string;
  readonly s3: S3Config;
  readonly signedUrlTtlSeconds: number;
  readonly signedUrlMaxTtlSeconds: number;
  readonly jwt: JwtConfig;
  readonly requestTimeoutMs: number;
  /** How long an API's Redis command may take before it fails (a frozen Redis must not hang callers). */
  readonly redisCommandTimeoutMs: number;
  readonly workerConcurrency: number;
  /** Port of the worker's health and metrics server; 0 picks a free one. */
  readonly workerHttpPort: number;
  /** How long a worker holds a job before another worker may take it over (BullMQ `lockDuration`). */
  readonly workerLockMs: number;
  readonly rateLimit: RateLimitConfig;
  readonly auditStream: string;
  /** Audit entries older than this are trimmed from the stream; younger ones never are. */
  readonly auditRetentionDays: number;
  readonly logLevel: string;
}

/** Thrown when the environment holds invalid values; `problems` names each one. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  ${problems.join("\n  ")}`);
    this.name = "ConfigError";
  }
}

/** SigV4 presigned URLs cannot live longer than seven days. */
export const MAX_PRESIGN_SECONDS = 604800;
/** Longest audit retention accepted: ten years. */
export const MAX_AUDIT_RETENTION_DAYS = 3650;
const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

type Env = Record<string, string | undefined>;

class Reader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  string(name: string, fallback: string): string {
    const value = this.optional(name);
    return value ?? fallback;
  }

  optional(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === "" ? undefined : value.trim();
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw)) {
      this.problems.push(`${name}: expected a whole number, got "${raw}"`);
      return fallback;
    }
    const value = Number(raw);
    if (value < min || value > max) {
      this.problems.push(`${name}: must be between ${min} and ${max}, got ${value}`);
      return fallback;
    }
    return value;
  }

  boolean(name: string, fallback: boolean): boolean {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    if (/^(true|1|yes)$/i.test(raw)) return true;
    if (/^(false|0|no)$/i.test(raw)) return false;
    this.problems.push(`${name}: expected true or false, got "${raw}"`);
    return fallback;
  }
}

/** Which parts a process needs: the API verifies tokens, the worker signs URLs, the CLIs need neither. */
export interface ConfigNeeds {
  readonly s3?: boolean;
  readonly jwt?: boolean;
}

/**
 * Parses the environment into a frozen {@link Config}.
 * @throws ConfigError listing every invalid or missing value.
 */
export function loadConfig(env: Env = process.env, needs: ConfigNeeds = { s3: true, jwt: true }): Config {
  const read = new Reader(env);
  const problems = read.problems;

  const port = read.integer("PORT", 8080, 0, 65535);
  const redisUrl = read.string("REDIS_URL", "redis://127.0.0.1:6379");
  let redis: RedisTarget = { kind: "single", url: "redis://127.0.0.1:6379" };
  try {
    redis = parseRedisUrl(redisUrl);
  } catch (error) {
    if (!(error instanceof RedisUrlError)) throw error;
    problems.push(`REDIS_URL: ${error.message} (got "${redactRedisUrl(redisUrl)}")`);
  }
  const cluster = redis.kind === "cluster";
  const queueShards = read.integer("QUEUE_SHARDS", cluster ? 12 : 1, 1, 256);
  const redisWaitReplicas = read.integer("REDIS_WAIT_REPLICAS", cluster ? 1 : 0, 0, 16);
  const redisWaitTimeoutMs = read.integer("REDIS_WAIT_TIMEOUT_MS", 250, 1, 60000);
  const keyPrefix = read.string("KEY_PREFIX", "pd");
  if (!/^[A-Za-z0-9_.{}-]{1,64}$/.test(keyPrefix)) {
    problems.push(`KEY_PREFIX: 1 to 64 of letters, digits, "_", ".", "-", "{", "}"; got "${keyPrefix}"`);
  }

  const endpoint = read.optional("S3_ENDPOINT");
  if (endpoint !== undefined && !isHttpUrl(endpoint)) problems.push(`S3_ENDPOINT: expected an http(s) URL, got "${endpoint}"`);
  const bucket = read.optional("S3_BUCKET");
  const accessKeyId = read.optional("AWS_ACCESS_KEY_ID");
  const secretAccessKey = read.optional("AWS_SECRET_ACCESS_KEY");
  if (needs.s3 === true) {
    if (bucket === undefined) problems.push("S3_BUCKET: required");
    if (accessKeyId === undefined) problems.push("AWS_ACCESS_KEY_ID: required");
    if (secretAccessKey === undefined) problems.push("AWS_SECRET_ACCESS_KEY: required");
  }

  const signedUrlMaxTtlSeconds = read.integer("SIGNED_URL_MAX_TTL_SECONDS", 3600, 1, MAX_PRESIGN_SECONDS);
  const signedUrlTtlSeconds = read.integer("SIGNED_URL_TTL_SECONDS", 300, 1, MAX_PRESIGN_SECONDS);
  if (signedUrlTtlSeconds > signedUrlMaxTtlSeconds) {
    problems.push(`SIGNED_URL_TTL_SECONDS: ${signedUrlTtlSeconds} exceeds SIGNED_URL_MAX_TTL_SECONDS (${signedUrlMaxTtlSeconds})`);
  }

  const secret = read.optional("JWT_SECRET");
  const publicKeyFile = read.optional("JWT_PUBLIC_KEY_FILE");
  if (secret !== undefined && Buffer.byteLength(secret, "utf8") < 32) problems.push("JWT_SECRET: must be at least 32 bytes");
  if (needs.jwt === true && secret === undefined && publicKeyFile === undefined) {
    problems.push("JWT_SECRET or JWT_PUBLIC_KEY_FILE: at least one token key must be configured");
  }

  const requestTimeoutMs = read.integer("REQUEST_TIMEOUT_MS", 5000, 100, 120000);
  const redisCommandTimeoutMs = read.integer("REDIS_COMMAND_TIMEOUT_MS", Math.min(1000, Math.floor(requestTimeoutMs / 4)), 10, 60000);
  if (redisCommandTimeoutMs >= requestTimeoutMs) {
    problems.push(`REDIS_COMMAND_TIMEOUT_MS: ${redisCommandTimeoutMs} must be below REQUEST_TIMEOUT_MS (${requestTimeoutMs})`);
  }
  const ratePerSecond = read.integer("RATE_LIMIT_PER_SECOND", 20, 0, 100000);
  const rateBurst = read.integer("RATE_LIMIT_BURST", Math.max(2 * ratePerSecond, 1), 1, 1000000);

  const logLevel = read.string("LOG_LEVEL", "info").toLowerCase();
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL: one of ${LOG_LEVELS.join(", ")}; got "${logLevel}"`);

  const config: Config = {
    port,
    redisUrl,
    redis,
    queueShards,
    redisWaitReplicas,
    redisWaitTimeoutMs,
    keyPrefix,
    s3: {
      endpoint,
      region: read.string("S3_REGION", "us-east-1"),
      bucket: bucket ?? "",
      forcePathStyle: read.boolean("S3_FORCE_PATH_STYLE", endpoint !== undefined),
      accessKeyId: accessKeyId ?? "",
      secretAccessKey: secretAccessKey ?? "",
      sessionToken: read.optional("AWS_SESSION_TOKEN"),
    },
    signedUrlTtlSeconds,
    signedUrlMaxTtlSeconds,
    jwt: {
      secret,
      publicKeyFile,
      issuer: read.optional("JWT_ISSUER"),
      audience: read.optional("JWT_AUDIENCE"),
      clockToleranceSeconds: read.integer("JWT_CLOCK_TOLERANCE_SECONDS", 5, 0, 300),
    },
    requestTimeoutMs,
    redisCommandTimeoutMs,
    workerConcurrency: read.integer("WORKER_CONCURRENCY", 16, 1, 1000),
    workerHttpPort: read.integer("WORKER_HTTP_PORT", 8081, 0, 65535),
    workerLockMs: read.integer("WORKER_LOCK_MS", 2000, 500, 600000),
    rateLimit: { perSecond: ratePerSecond, burst: rateBurst },
    auditStream: read.string("AUDIT_STREAM", `${keyPrefix}:audit`),
    auditRetentionDays: read.integer("AUDIT_RETENTION_DAYS", 7, 1, MAX_AUDIT_RETENTION_DAYS),
    logLevel,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(config);
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) {
    if (child !== null && typeof child === "object") deepFreeze(child);
  }
  return Object.freeze(value);
}
