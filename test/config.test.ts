/** Configuration: parsed once, typed, frozen; every invalid value named, all at once. */
import { expect } from "chai";
import { ConfigError, loadConfig } from "../shared/config.js";

const VALID = {
  S3_BUCKET: "attachments",
  AWS_ACCESS_KEY_ID: "id",
  AWS_SECRET_ACCESS_KEY: "secret",
  JWT_SECRET: "x".repeat(32),
};

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

  it("keeps the Redis command timeout below the request timeout", () => {
    expect(loadConfig({ ...VALID, REQUEST_TIMEOUT_MS: "400" }).redisCommandTimeoutMs).to.equal(100);
    expect(problems({ ...VALID, REQUEST_TIMEOUT_MS: "1000", REDIS_COMMAND_TIMEOUT_MS: "1000" })).to.deep.equal([
      "REDIS_COMMAND_TIMEOUT_MS: 1000 must be below REQUEST_TIMEOUT_MS (1000)",
    ]);
    expect(problems({ ...VALID, RATE_LIMIT_BURST: "0", WORKER_LOCK_MS: "10" }).map((p) => p.split(":")[0])).to.have.members(["RATE_LIMIT_BURST", "WORKER_LOCK_MS"]);
  });

  it("asks each process only for what it needs", () => {
    expect(problems({}, { s3: true })).to.have.members(["S3_BUCKET: required", "AWS_ACCESS_KEY_ID: required", "AWS_SECRET_ACCESS_KEY: required"]);
    expect(problems({}, { jwt: true })).to.have.length(1);
    expect(problems({}, {})).to.deep.equal([]);
  });
});
