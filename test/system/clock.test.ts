/**
 * One clock: worker and API processes whose host clocks are off (libfaketime, the library the
 * `faketime` command preloads) still set and check deadlines, and date and expire URLs, by Redis's
 * clock, which is the real time here; each publishes its offset and warns about it.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { expect } from "chai";
import { Redis } from "ioredis";
import { freePort } from "../../dev/local-redis.js";
import { putObject } from "../../dev/embedded-s3.js";
import { Clock, measureOffset } from "../../shared/redis/clock.js";
import { activity, attachment, client, department } from "../support/factories.js";
import { spawnService, type ServiceProcess } from "../support/service-process.js";
import { BODY, until } from "../support/probes.js";
import { startStack, TEST_BUCKET, type Stack } from "../support/stack.js";

const BYTES = "hello world";
const DIRECTORY = [department("d1"), client("app1"), activity("a1"), attachment("att1", { size: BYTES.length })];
const TTL_SECONDS = 300;
/** How far a date read in another process may lie from this process's reading (a loaded machine). */
const SLACK_MS = 5000;

/** libfaketime's multi-threaded build (node runs threads), wherever Debian put it for this architecture. */
function libfaketime(): string {
  const candidates = readdirSync("/usr/lib")
    .filter((dir) => dir.endsWith("-linux-gnu"))
    .map((dir) => `/usr/lib/${dir}/faketime/libfaketimeMT.so.1`)
    .concat("/usr/lib/faketime/libfaketimeMT.so.1");
  const found = candidates.find((path) => existsSync(path));
  if (found === undefined) throw new Error("libfaketime not found: install the Debian package faketime (.ci/run does)");
  return found;
}

/**
 * The environment that makes a process's clock run `offset` off (faketime's syntax: `+10s`,
 * `-10m`), as `faketime -f OFFSET` does. Monotonic time stays real, as timers need.
 */
function skewedClock(offset: string): Record<string, string> {
  return { LD_PRELOAD: libfaketime(), FAKETIME: offset, DONT_FAKE_MONOTONIC: "1", FAKETIME_NO_CACHE: "1" };
}

/** `Date.now()` in a node process run with `env`. */
function nodeNow(command: string, args: readonly string[], env: Record<string, string> = {}): number {
  return Number(execFileSync(command, [...args, process.execPath, "-e", "process.stdout.write(String(Date.now()))"], { env: { PATH: process.env.PATH ?? "", ...env } }).toString());
}

/** The value of `predownload_clock_offset_seconds` on a /metrics page. */
async function clockOffsetSeconds(baseUrl: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const match = /^predownload_clock_offset_seconds\{[^}]*\} (\S+)$/m.exec(text);
  if (match === null) throw new Error("no predownload_clock_offset_seconds on /metrics");
  return Number(match[1]);
}

/** Checks an issued answer against the real time: dated now, expiring in the TTL, downloadable, audited so. */
async function expectIssuedByRealTime(stack: Stack, res: Response): Promise<void> {
  const body = (await res.json()) as { contentUrl: string; signedUrlExpiry: string };
  expect(res.status, JSON.stringify(body)).to.equal(200);
  const url = new URL(body.contentUrl);
  const amzDate = url.searchParams.get("X-Amz-Date")!;
  const signedAt = Date.parse(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, "$1-$2-$3T$4:$5:$6Z"));
  expect(Math.abs(signedAt - Date.now()), `X-Amz-Date ${amzDate}`).to.be.below(SLACK_MS);
  expect(url.searchParams.get("X-Amz-Expires")).to.equal(String(TTL_SECONDS));
  expect(Date.parse(body.signedUrlExpiry)).to.equal(signedAt + TTL_SECONDS * 1000);
  const download = await fetch(body.contentUrl);
  expect(download.status).to.equal(200);
  expect(await download.text()).to.equal(BYTES);
  const requestId = res.headers.get("X-Request-Id");
  const events = (await stack.auditEvents()).filter((e) => e.requestId === requestId);
  expect(events.map((e) => [e.outcome, e.expiresAt])).to.deep.equal([["issued", body.signedUrlExpiry]]);
  expect(Math.abs(Date.parse(events[0]!.time as string) - Date.now()), "the event's time").to.be.below(SLACK_MS);
}

describe("the clock offset", () => {
  it("is Redis's time minus this host's, read half-way through the round trip", async () => {
    const redis = new Redis(process.env.REDIS_URL!);
    try {
      // Redis runs on this host here: the same clock, so the offset is within the round trip.
      const sample = await measureOffset(redis);
      expect(Math.abs(sample.offsetMs)).to.be.at.most(sample.roundTripMs / 2 + 2);
    } finally {
      redis.disconnect();
    }
  });

  it("keeps the offset it has when a sample's round trip is longer than the uncertainty allowed", () => {
    const clock = new Clock();
    clock.record({ offsetMs: 600_000, roundTripMs: 2 }, 1000);
    clock.record({ offsetMs: 0, roundTripMs: 3000 }, 1000);
    expect(clock.offsetMs).to.equal(600_000);
    expect(clock.now() - Date.now()).to.be.within(599_990, 600_010);
    clock.record({ offsetMs: 500, roundTripMs: 10 }, 1000);
    expect(clock.offsetMs).to.equal(500);
  });
});

describe("one clock (Redis's) for hosts whose clocks are off", function () {
  this.timeout(60_000);
  let stack: Stack | undefined;
  let processes: ServiceProcess[] = [];

  before(() => {
    // Without this the tests below would prove nothing: the clock must really be off in node.
    const real = Date.now();
    expect(nodeNow("faketime", ["-f", "+10s"]) - real, "faketime -f +10s, in node").to.be.within(9000, 11_000 + SLACK_MS);
    expect(nodeNow("env", [], skewedClock("-10m")) - Date.now(), "libfaketime -10m, in node").to.be.within(-601_000 - SLACK_MS, -599_000);
  });

  afterEach(async () => {
    for (const p of processes) p.child.kill("SIGTERM");
    await Promise.all(processes.map((p) => p.exited()));
    processes = [];
    await stack?.close();
    stack = undefined;
  });

  async function skewedWorker(s: Stack, offset: string): Promise<{ process: ServiceProcess; url: string }> {
    const port = await freePort();
    const worker = spawnService("worker/main.ts", { ...s.env, ...skewedClock(offset), WORKER_HTTP_PORT: String(port), LOG_LEVEL: "warn" });
    processes.push(worker);
    const url = `http://127.0.0.1:${port}`;
    await until("the skewed worker's readiness", 40_000, async () => ((await fetch(`${url}/health/ready`)).ok ? true : undefined));
    return { process: worker, url };
  }

  async function started(options: { worker: boolean }): Promise<Stack> {
    stack = await startStack({ worker: options.worker, env: { SIGNED_URL_TTL_SECONDS: String(TTL_SECONDS) } });
    await stack.importLines(DIRECTORY);
    await putObject(stack.s3.client, TEST_BUCKET, "objects/att1", BYTES, "text/plain");
    return stack;
  }

  for (const [offset, expectedSeconds] of [
    ["+10s", -10],
    ["-10m", 600],
  ] as const) {
    it(`issues URLs dated and expiring by the real time from a worker whose clock is ${offset} off, and publishes and warns about its offset`, async () => {
      const s = await started({ worker: false });
      const worker = await skewedWorker(s, offset);
      await expectIssuedByRealTime(s, await s.post(BODY, { token: s.token("client", "app1") }));
      expect(await clockOffsetSeconds(worker.url)).to.be.closeTo(expectedSeconds, 1);
      expect(Math.abs(await clockOffsetSeconds(s.api.url)), "the in-process API's offset").to.be.below(1);
      // Measured every second, warned about once a minute: one warning however many measurements.
      await sleep(2500);
      expect(worker.process.output().split("\n").filter((line) => line.includes("MAX_CLOCK_SKEW_MS"))).to.have.length(1);
    });
  }

  it("sets deadlines by Redis's clock in an API whose clock is 10 min behind", async () => {
    const s = await started({ worker: true });
    const port = await freePort();
    const api = spawnService("api/main.ts", { ...s.env, ...skewedClock("-10m"), PORT: String(port), LOG_LEVEL: "warn" });
    processes.push(api);
    const url = `http://127.0.0.1:${port}`;
    await until("the skewed API's readiness", 40_000, async () => ((await fetch(`${url}/health/ready`)).ok ? true : undefined));
    const res = await fetch(`${url}/assets/predownload`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${s.token("client", "app1")}` },
      body: JSON.stringify(BODY),
    });
    await expectIssuedByRealTime(s, res);
    // The API's own events (a refusal here) carry Redis's time too.
    const refused = await fetch(`${url}/assets/predownload`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${s.token("client", "app1")}` },
      body: JSON.stringify({ ...BODY, app: "fax" }),
    });
    expect(refused.status).to.equal(400);
    const [refusal] = (await s.auditEvents()).filter((e) => e.requestId === refused.headers.get("X-Request-Id"));
    expect(Math.abs(Date.parse(refusal!.time as string) - Date.now()), "the refusal's time").to.be.below(SLACK_MS);
    expect(await clockOffsetSeconds(url)).to.be.closeTo(600, 1);
    expect(api.output()).to.include("MAX_CLOCK_SKEW_MS");
  });
});
