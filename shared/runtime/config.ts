/**
 * The service's configuration: the only module that reads the environment. Every value is parsed
 * and checked once at start; all problems are reported together, naming each variable.
 */

import { parseRedisUrl, redactRedisUrl, RedisUrlError, type RedisTarget } from "../redis/url.js";

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

/** How traces are sampled: the values of `OTEL_TRACES_SAMPLER` this service supports. */
export const TRACE_SAMPLERS = ["always_on", "always_off", "traceidratio", "parentbased_always_on", "parentbased_always_off", "parentbased_traceidratio"] as const;
export type TraceSampler = (typeof TRACE_SAMPLERS)[number];
/** OTLP over HTTP, as protobuf or as JSON (`OTEL_EXPORTER_OTLP_PROTOCOL`). */
export const OTLP_PROTOCOLS = ["http/protobuf", "http/json"] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

/** OpenTelemetry tracing, from the standard `OTEL_*` variables only. */
export interface TracingConfig {
  /** Where spans are sent (the traces URL, `/v1/traces` included); undefined: tracing is off. */
  readonly tracesEndpoint: string | undefined;
  readonly protocol: OtlpProtocol;
  /** Headers each export carries (credentials of the collector, perhaps: never logged). */
  readonly headers: Readonly<Record<string, string>>;
  /** `service.name`; undefined: `predownload-api` or `predownload-worker`. */
  readonly serviceName: string | undefined;
  readonly resourceAttributes: Readonly<Record<string, string>>;
  readonly sampler: TraceSampler;
  /** The ratio of the `traceidratio` samplers, 0 to 1. */
  readonly samplerRatio: number;
  /** How long finished spans wait to be exported together. */
  readonly scheduleDelayMs: number;
}

export interface AuditSealConfig {
  /** Ed25519 private key, PEM. */
  readonly keyFile: string;
  /** A checkpoint per audit stream this often. */
  readonly intervalSeconds: number;
}

export interface Config {
  readonly port: number;
  /** Port of a listener of its own for `/metrics` and `/health/*` (then not on `port`); undefined serves them on `port`. 0 picks a free one. */
  readonly opsPort: number | undefined;
  /** Open connections one API process accepts at once (per listener); more are closed as they arrive. */
  readonly maxConnections: number;
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
  /** Address the worker's health and metrics server binds to (loopback unless told otherwise). */
  readonly workerHttpHost: string;
  /** How long a worker holds a job before another worker may take it over (BullMQ `lockDuration`). */
  readonly workerLockMs: number;
  readonly rateLimit: RateLimitConfig;
  /** Refusals before a token is accepted, per client address (`perSecond` 0: unlimited). */
  readonly unauthenticatedRateLimit: RateLimitConfig;
  readonly auditStream: string;
  /** Audit entries older than this are trimmed from the stream; younger ones never are. */
  readonly auditRetentionDays: number;
  /** The sealed audit trail: on when `AUDIT_SEAL_KEY_FILE` is set. */
  readonly auditSeal: AuditSealConfig | undefined;
  /** An offset to Redis's clock above this is logged as a warning (once a minute). */
  readonly maxClockSkewMs: number;
  /** How long a versioned delete's tombstone keeps an older write from bringing the record back. */
  readonly directoryTombstoneDays: number;
  /** Largest body `POST /directory/import` accepts, in bytes. */
  readonly directoryImportMaxBytes: number;
  /** Slowest average pace, in bytes a second, at which a `POST /directory/import` body may arrive. */
  readonly directoryImportMinBytesPerSecond: number;
  readonly logLevel: string;
  readonly tracing: TracingConfig;
  /** `CONTENT_URL_MODE`: `direct` (the presigned S3 URL) or `grant` (a revocable URL of this service). */
  readonly contentUrlMode: ContentUrlMode;
  /** `PUBLIC_BASE_URL`, without a trailing `/`: where callers reach this service (required in grant mode). */
  readonly publicBaseUrl: string | undefined;
  /** `GRANT_REDIRECT_TTL_SECONDS`: lifetime of the presigned URL a redeem redirects to. */
  readonly grantRedirectTtlSeconds: number;
  /** `GRANT_MAX_USES`: redeems a grant allows; 0, any number until it expires. */
  readonly grantMaxUses: number;
}

export const CONTENT_URL_MODES = ["direct", "grant"] as const;
export type ContentUrlMode = (typeof CONTENT_URL_MODES)[number];

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
/** Refusals an address may get at once before its unauthenticated budget applies. */
export const UNAUTHENTICATED_RATE_LIMIT_BURST = 20;
const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

type Env = Record<string, string | undefined>;

class Reader {
  readonly problems: string[] = [];
  /** Every variable read so far, with the default it was read with (undefined: none). */
  readonly variables = new Map<string, string | undefined>();
  constructor(private readonly env: Env) {}

  string(name: string, fallback: string): string {
    const value = this.optional(name);
    this.variables.set(name, fallback);
    return value ?? fallback;
  }

  optional(name: string): string | undefined {
    if (!this.variables.has(name)) this.variables.set(name, undefined);
    const value = this.env[name];
    return value === undefined || value.trim() === "" ? undefined : value.trim();
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const raw = this.optional(name);
    this.variables.set(name, String(fallback));
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
    this.variables.set(name, String(fallback));
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
  return parse(new Reader(env), needs);
}

/**
 * Every variable the configuration reads, each with its default when the environment holds no
 * other variable (undefined when it has none), in the order they are read: what the configuration
 * docs list.
 */
export function configVariables(): ReadonlyMap<string, string | undefined> {
  const read = new Reader({});
  parse(read, {});
  return read.variables;
}

function parse(read: Reader, needs: ConfigNeeds): Config {
  const problems = read.problems;

  const port = read.integer("PORT", 8080, 0, 65535);
  const opsPort = read.optional("OPS_PORT") === undefined ? undefined : read.integer("OPS_PORT", 0, 0, 65535);
  if (opsPort !== undefined && opsPort !== 0 && opsPort === port) problems.push(`OPS_PORT: must differ from PORT (${port})`);
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
  const unauthenticatedPerSecond = read.integer("UNAUTHENTICATED_RATE_LIMIT_PER_SECOND", 10, 0, 100000);

  const contentUrlMode = read.string("CONTENT_URL_MODE", "direct").toLowerCase() as ContentUrlMode;
  if (!CONTENT_URL_MODES.includes(contentUrlMode)) problems.push(`CONTENT_URL_MODE: one of ${CONTENT_URL_MODES.join(", ")}; got "${contentUrlMode}"`);
  const publicBaseUrl = read.optional("PUBLIC_BASE_URL")?.replace(/\/+$/, "");
  if (publicBaseUrl !== undefined && !isHttpUrl(publicBaseUrl)) problems.push(`PUBLIC_BASE_URL: expected an absolute http(s) URL, got "${publicBaseUrl}"`);
  if (contentUrlMode === "grant" && publicBaseUrl === undefined) problems.push("PUBLIC_BASE_URL: required when CONTENT_URL_MODE is grant");
  const grantRedirectTtlSeconds = read.integer("GRANT_REDIRECT_TTL_SECONDS", 30, 1, MAX_PRESIGN_SECONDS);
  const grantMaxUses = read.integer("GRANT_MAX_USES", 0, 0, 1_000_000);

  const logLevel = read.string("LOG_LEVEL", "info").toLowerCase();
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL: one of ${LOG_LEVELS.join(", ")}; got "${logLevel}"`);

  const config: Config = {
    port,
    opsPort,
    maxConnections: read.integer("MAX_CONNECTIONS", 10000, 1, 1000000),
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
    workerHttpHost: read.string("WORKER_HTTP_HOST", "127.0.0.1"),
    workerLockMs: read.integer("WORKER_LOCK_MS", 2000, 500, 600000),
    rateLimit: { perSecond: ratePerSecond, burst: rateBurst },
    unauthenticatedRateLimit: { perSecond: unauthenticatedPerSecond, burst: UNAUTHENTICATED_RATE_LIMIT_BURST },
    auditStream: read.string("AUDIT_STREAM", `${keyPrefix}:audit`),
    auditRetentionDays: read.integer("AUDIT_RETENTION_DAYS", 7, 1, MAX_AUDIT_RETENTION_DAYS),
    auditSeal: auditSeal(read),
    maxClockSkewMs: read.integer("MAX_CLOCK_SKEW_MS", 1000, 1, 3_600_000),
    directoryTombstoneDays: read.integer("DIRECTORY_TOMBSTONE_DAYS", 7, 1, MAX_AUDIT_RETENTION_DAYS),
    directoryImportMaxBytes: read.integer("DIRECTORY_IMPORT_MAX_BYTES", 1024 ** 3, 1, Number.MAX_SAFE_INTEGER),
    directoryImportMinBytesPerSecond: read.integer("DIRECTORY_IMPORT_MIN_BYTES_PER_SECOND", 32 * 1024, 1, 1024 ** 3),
    logLevel,
    tracing: tracingConfig(read),
    contentUrlMode,
    publicBaseUrl,
    grantRedirectTtlSeconds,
    grantMaxUses,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(config);
}

/**
 * The `OTEL_*` variables this service honours (the OpenTelemetry SDK's environment specification):
 * tracing is on when an OTLP endpoint is set and neither `OTEL_SDK_DISABLED` nor
 * `OTEL_TRACES_EXPORTER=none` turns it off. A signal-specific variable wins over the general one;
 * the general endpoint gets `/v1/traces` appended, the traces endpoint is used as it is.
 */
function tracingConfig(read: Reader): TracingConfig {
  const problems = read.problems;
  const disabled = read.boolean("OTEL_SDK_DISABLED", false);
  const exporter = read.string("OTEL_TRACES_EXPORTER", "otlp");
  if (exporter !== "otlp" && exporter !== "none") problems.push(`OTEL_TRACES_EXPORTER: otlp or none; got "${exporter}"`);
  const base = read.optional("OTEL_EXPORTER_OTLP_ENDPOINT");
  const traces = read.optional("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
  if (base !== undefined && !isHttpUrl(base)) problems.push(`OTEL_EXPORTER_OTLP_ENDPOINT: expected an http(s) URL, got "${base}"`);
  if (traces !== undefined && !isHttpUrl(traces)) problems.push(`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: expected an http(s) URL, got "${traces}"`);
  const endpoint = traces ?? (base === undefined ? undefined : `${base.replace(/\/+$/, "")}/v1/traces`);
  const generalProtocol = read.string("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
  const protocolName = read.optional("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") === undefined ? "OTEL_EXPORTER_OTLP_PROTOCOL" : "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL";
  const protocol = read.optional("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") ?? generalProtocol;
  if (!(OTLP_PROTOCOLS as readonly string[]).includes(protocol)) problems.push(`${protocolName}: ${OTLP_PROTOCOLS.join(" or ")} (grpc is not supported); got "${protocol}"`);
  const headers = { ...keyValues(read, "OTEL_EXPORTER_OTLP_HEADERS"), ...keyValues(read, "OTEL_EXPORTER_OTLP_TRACES_HEADERS") };
  const serviceName = read.optional("OTEL_SERVICE_NAME");
  const resourceAttributes = keyValues(read, "OTEL_RESOURCE_ATTRIBUTES");
  const sampler = read.string("OTEL_TRACES_SAMPLER", "parentbased_always_on");
  if (!(TRACE_SAMPLERS as readonly string[]).includes(sampler)) problems.push(`OTEL_TRACES_SAMPLER: one of ${TRACE_SAMPLERS.join(", ")}; got "${sampler}"`);
  const ratioText = read.string("OTEL_TRACES_SAMPLER_ARG", "1");
  const samplerRatio = Number(ratioText);
  if (!/^(0|1|0?\.\d+|1\.0*)$/.test(ratioText)) problems.push(`OTEL_TRACES_SAMPLER_ARG: a ratio from 0 to 1; got "${ratioText}"`);
  const scheduleDelayMs = read.integer("OTEL_BSP_SCHEDULE_DELAY", 5000, 1, 600000);
  return {
    tracesEndpoint: disabled || exporter === "none" ? undefined : endpoint,
    protocol: protocol as OtlpProtocol,
    headers,
    serviceName,
    resourceAttributes,
    sampler: sampler as TraceSampler,
    samplerRatio: Number.isFinite(samplerRatio) ? samplerRatio : 1,
    scheduleDelayMs,
  };
}

/** A `key=value,key=value` list (values percent-encoded), as the `OTEL_*` headers and attributes are written. */
function keyValues(read: Reader, name: string): Record<string, string> {
  const raw = read.optional(name);
  const out: Record<string, string> = {};
  if (raw === undefined) return out;
  for (const pair of raw.split(",")) {
    const at = pair.indexOf("=");
    const key = at > 0 ? pair.slice(0, at).trim() : "";
    try {
      if (key === "") throw new Error("no key");
      out[key] = decodeURIComponent(pair.slice(at + 1).trim());
    } catch {
      // The value may be a credential: the problem names the variable, not its content.
      read.problems.push(`${name}: expected key=value pairs separated by commas`);
      return {};
    }
  }
  return out;
}

function auditSeal(read: Reader): AuditSealConfig | undefined {
  const keyFile = read.optional("AUDIT_SEAL_KEY_FILE");
  const intervalSeconds = read.integer("AUDIT_SEAL_INTERVAL_SECONDS", 10, 1, 86400);
  return keyFile === undefined ? undefined : { keyFile, intervalSeconds };
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
