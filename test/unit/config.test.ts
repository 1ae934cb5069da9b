/** Configuration: parsed once, typed, frozen; every invalid value named, all at once. */
import { expect } from "chai";
import { ConfigError, loadConfig } from "../../shared/runtime/config.js";
import { configEnv } from "../support/factories.js";

const VALID = configEnv();

function problems(env: Record<string, string>, needs?: Parameters<typeof loadConfig>[1]): string[] {
  try {
    loadConfig(env, needs);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

describe("configuration", () => {
  it("fills in the documented defaults", () => {
    const config = loadConfig(VALID);
    expect(config).to.deep.include({
      port: 8080,
      redisUrl: "redis://127.0.0.1:6379",
      keyPrefix: "pd",
      signedUrlTtlSeconds: 300,
      signedUrlMaxTtlSeconds: 3600,
      requestTimeoutMs: 5000,
      auditStream: "pd:audit",
      logLevel: "info",
    });
    expect(config.s3).to.deep.include({ endpoint: undefined, region: "us-east-1", bucket: "attachments", forcePathStyle: false });
    expect(config.jwt.clockToleranceSeconds).to.equal(5);
  });

  it("keeps direct mode by default, and requires an absolute http(s) PUBLIC_BASE_URL in grant mode", () => {
    expect(loadConfig(VALID)).to.deep.include({ contentUrlMode: "direct", publicBaseUrl: undefined, grantRedirectTtlSeconds: 30, grantMaxUses: 0 });
    expect(problems({ ...VALID, CONTENT_URL_MODE: "grant" })).to.deep.equal(["PUBLIC_BASE_URL: required when CONTENT_URL_MODE is grant"]);
    expect(problems({ ...VALID, CONTENT_URL_MODE: "grant", PUBLIC_BASE_URL: "files.example.com" })[0]).to.match(/^PUBLIC_BASE_URL: expected an absolute http\(s\) URL/);
    expect(problems({ ...VALID, CONTENT_URL_MODE: "signed" })[0]).to.match(/^CONTENT_URL_MODE: one of direct, grant/);
    expect(problems({ ...VALID, GRANT_MAX_USES: "-1", GRANT_REDIRECT_TTL_SECONDS: "0" })).to.have.length(2);
    const grant = loadConfig({ ...VALID, CONTENT_URL_MODE: "grant", PUBLIC_BASE_URL: "https://files.example.com/dl/", GRANT_MAX_USES: "1" });
    expect(grant).to.deep.include({ contentUrlMode: "grant", publicBaseUrl: "https://files.example.com/dl", grantMaxUses: 1 });
  });

  it("is frozen, nested parts included", () => {
    const config = loadConfig(VALID);
    expect(Object.isFrozen(config)).to.equal(true);
    expect(Object.isFrozen(config.s3)).to.equal(true);
    expect(Object.isFrozen(config.jwt)).to.equal(true);
  });

  it("derives the audit stream from KEY_PREFIX and path style from S3_ENDPOINT", () => {
    const config = loadConfig({ ...VALID, KEY_PREFIX: "tenant1", S3_ENDPOINT: "http://minio:9000" });
    expect(config.auditStream).to.equal("tenant1:audit");
    expect(config.s3.forcePathStyle).to.equal(true);
  });

  it("reports every invalid value at once, naming each variable", () => {
    const found = problems({
      ...VALID,
      PORT: "eighty",
      REQUEST_TIMEOUT_MS: "-5",
      SIGNED_URL_TTL_SECONDS: "7200",
      S3_FORCE_PATH_STYLE: "maybe",
      LOG_LEVEL: "loud",
      REDIS_URL: "http://localhost",
      S3_ENDPOINT: "not a url",
      KEY_PREFIX: "has spaces",
    });
    for (const name of ["PORT", "REQUEST_TIMEOUT_MS", "SIGNED_URL_TTL_SECONDS", "S3_FORCE_PATH_STYLE", "LOG_LEVEL", "REDIS_URL", "S3_ENDPOINT", "KEY_PREFIX"]) {
      expect(found.some((p) => p.startsWith(`${name}:`)), `${name} in ${found.join(" | ")}`).to.equal(true);
    }
  });

  it("never allows a URL lifetime above seven days", () => {
    expect(problems({ ...VALID, SIGNED_URL_MAX_TTL_SECONDS: "604801" })[0]).to.match(/^SIGNED_URL_MAX_TTL_SECONDS:/);
    expect(loadConfig({ ...VALID, SIGNED_URL_MAX_TTL_SECONDS: "604800" }).signedUrlMaxTtlSeconds).to.equal(604800);
  });

  it("refuses an HS256 secret under 32 bytes, and no token key at all", () => {
    expect(problems({ ...VALID, JWT_SECRET: "short" })).to.deep.equal(["JWT_SECRET: must be at least 32 bytes"]);
    const { JWT_SECRET: _secret, ...withoutKeys } = VALID;
    expect(problems(withoutKeys)[0]).to.match(/^JWT_SECRET or JWT_PUBLIC_KEY_FILE:/);
  });

  it("fills in the fault-tolerance and rate-limit defaults", () => {
    const config = loadConfig(VALID);
    expect(config).to.deep.include({ redisCommandTimeoutMs: 1000, workerHttpPort: 8081, workerLockMs: 2000 });
    expect(config.rateLimit).to.deep.equal({ perSecond: 20, burst: 40 });
    expect(loadConfig({ ...VALID, RATE_LIMIT_PER_SECOND: "0" }).rateLimit).to.deep.equal({ perSecond: 0, burst: 1 });
    expect(loadConfig({ ...VALID, RATE_LIMIT_PER_SECOND: "10", RATE_LIMIT_BURST: "15" }).rateLimit).to.deep.equal({ perSecond: 10, burst: 15 });
  });

  it("limits refusals before authentication to 10 a second per address after a burst of 20, unless set to 0", () => {
    expect(loadConfig(VALID).unauthenticatedRateLimit).to.deep.equal({ perSecond: 10, burst: 20 });
    expect(loadConfig({ ...VALID, UNAUTHENTICATED_RATE_LIMIT_PER_SECOND: "0" }).unauthenticatedRateLimit.perSecond).to.equal(0);
    expect(problems({ ...VALID, UNAUTHENTICATED_RATE_LIMIT_PER_SECOND: "-1" }).map((p) => p.split(":")[0])).to.deep.equal(["UNAUTHENTICATED_RATE_LIMIT_PER_SECOND"]);
  });

  it("fills in the listener defaults and checks OPS_PORT, MAX_CONNECTIONS and WORKER_HTTP_HOST", () => {
    expect(loadConfig(VALID)).to.deep.include({ opsPort: undefined, maxConnections: 10000, workerHttpHost: "127.0.0.1" });
    expect(loadConfig({ ...VALID, OPS_PORT: "9090", MAX_CONNECTIONS: "50", WORKER_HTTP_HOST: "0.0.0.0" })).to.deep.include({ opsPort: 9090, maxConnections: 50, workerHttpHost: "0.0.0.0" });
    expect(problems({ ...VALID, PORT: "8080", OPS_PORT: "8080" })).to.deep.equal(["OPS_PORT: must differ from PORT (8080)"]);
    expect(problems({ ...VALID, OPS_PORT: "ops", MAX_CONNECTIONS: "0" }).map((p) => p.split(":")[0])).to.have.members(["OPS_PORT", "MAX_CONNECTIONS"]);
  });

  it("keeps the Redis command timeout below the request timeout", () => {
    expect(loadConfig({ ...VALID, REQUEST_TIMEOUT_MS: "400" }).redisCommandTimeoutMs).to.equal(100);
    expect(problems({ ...VALID, REQUEST_TIMEOUT_MS: "1000", REDIS_COMMAND_TIMEOUT_MS: "1000" })).to.deep.equal([
      "REDIS_COMMAND_TIMEOUT_MS: 1000 must be below REQUEST_TIMEOUT_MS (1000)",
    ]);
    expect(problems({ ...VALID, RATE_LIMIT_BURST: "0", WORKER_LOCK_MS: "10" }).map((p) => p.split(":")[0])).to.have.members(["RATE_LIMIT_BURST", "WORKER_LOCK_MS"]);
  });

  it("warns about clock skew above 1000 ms by default, and takes MAX_CLOCK_SKEW_MS as a whole number of ms", () => {
    expect(loadConfig(VALID).maxClockSkewMs).to.equal(1000);
    expect(loadConfig({ ...VALID, MAX_CLOCK_SKEW_MS: "250" }).maxClockSkewMs).to.equal(250);
    expect(problems({ ...VALID, MAX_CLOCK_SKEW_MS: "1s" })).to.deep.equal(['MAX_CLOCK_SKEW_MS: expected a whole number, got "1s"']);
  });

  it("seals the audit trail only with AUDIT_SEAL_KEY_FILE, every 10 s unless AUDIT_SEAL_INTERVAL_SECONDS says otherwise", () => {
    expect(loadConfig(VALID).auditSeal).to.equal(undefined);
    expect(loadConfig({ ...VALID, AUDIT_SEAL_KEY_FILE: "/run/secrets/seal.pem" }).auditSeal).to.deep.equal({ keyFile: "/run/secrets/seal.pem", intervalSeconds: 10 });
    expect(loadConfig({ ...VALID, AUDIT_SEAL_KEY_FILE: "k.pem", AUDIT_SEAL_INTERVAL_SECONDS: "2" }).auditSeal?.intervalSeconds).to.equal(2);
    expect(problems({ ...VALID, AUDIT_SEAL_INTERVAL_SECONDS: "0" }).map((p) => p.split(":")[0])).to.deep.equal(["AUDIT_SEAL_INTERVAL_SECONDS"]);
  });

  it("asks each process only for what it needs", () => {
    expect(problems({}, { s3: true })).to.have.members(["S3_BUCKET: required", "AWS_ACCESS_KEY_ID: required", "AWS_SECRET_ACCESS_KEY: required"]);
    expect(problems({}, { jwt: true })).to.have.length(1);
    expect(problems({}, {})).to.deep.equal([]);
  });

  describe("tracing (OTEL_*)", () => {
    it("is off without an OTLP endpoint, and with one when OTEL_SDK_DISABLED or OTEL_TRACES_EXPORTER=none says so", () => {
      expect(loadConfig(VALID).tracing.tracesEndpoint).to.equal(undefined);
      const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" };
      expect(loadConfig(configEnv({ ...endpoint, OTEL_SDK_DISABLED: "true" })).tracing.tracesEndpoint).to.equal(undefined);
      expect(loadConfig(configEnv({ ...endpoint, OTEL_TRACES_EXPORTER: "none" })).tracing.tracesEndpoint).to.equal(undefined);
    });

    it("appends /v1/traces to the base endpoint and takes the traces endpoint as it is, the specific one winning", () => {
      expect(loadConfig(configEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318/" })).tracing.tracesEndpoint).to.equal("http://collector:4318/v1/traces");
      const both = { OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318", OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "https://traces.example/otlp" };
      expect(loadConfig(configEnv(both)).tracing.tracesEndpoint).to.equal("https://traces.example/otlp");
    });

    it("defaults to http/protobuf and parent-based always-on sampling, and reads headers and resource attributes as key=value lists", () => {
      const tracing = loadConfig(configEnv({ OTEL_EXPORTER_OTLP_HEADERS: "a=1,b=x%20y", OTEL_EXPORTER_OTLP_TRACES_HEADERS: "b=2", OTEL_RESOURCE_ATTRIBUTES: "deployment.environment=prod" })).tracing;
      expect(tracing).to.deep.include({ protocol: "http/protobuf", sampler: "parentbased_always_on", samplerRatio: 1, serviceName: undefined, scheduleDelayMs: 5000 });
      expect(tracing.headers).to.deep.equal({ a: "1", b: "2" });
      expect(tracing.resourceAttributes).to.deep.equal({ "deployment.environment": "prod" });
    });

    it("names each bad OTEL_* value, and a bad header list without echoing it", () => {
      const found = problems(configEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318", OTEL_EXPORTER_OTLP_PROTOCOL: "grpc", OTEL_TRACES_SAMPLER: "xray", OTEL_TRACES_SAMPLER_ARG: "1.5", OTEL_EXPORTER_OTLP_HEADERS: "secret-token" }));
      expect(found.map((p) => p.split(":")[0])).to.have.members(["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_TRACES_SAMPLER", "OTEL_TRACES_SAMPLER_ARG", "OTEL_EXPORTER_OTLP_HEADERS"]);
      expect(found.join("\n")).to.not.include("secret-token");
    });
  });
});
