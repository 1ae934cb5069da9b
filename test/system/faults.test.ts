/**
 * Staying up when things break: each case runs the service against a Redis server of its own and
 * kills, freezes or restarts it, or kills and stops worker and API processes. No mocks.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { expect } from "chai";
import { freePort } from "../../dev/local-redis.js";
import { createLogger } from "../../shared/runtime/log.js";
import { startWorker } from "../../worker/worker.js";
import { ownRedis, type OwnRedis } from "../support/own-redis.js";
import { BODY, DIRECTORY, expectUnavailable, readiness, timedPost, until } from "../support/probes.js";
import { spawnService } from "../support/service-process.js";
import { startStack, type Stack } from "../support/stack.js";

const log = createLogger("test", "silent");
/** "At once": far below the 3 s request timeout these stacks use, with room for a loaded machine. */
const FAST_MS = 1500;

describe("faults", function () {
  this.timeout(60_000);
  let redis: OwnRedis | undefined;
  let stack: Stack | undefined;
  afterEach(async () => {
    // The stack deletes its keys on close, so Redis must be answering by then.
    redis?.thaw();
    await stack?.close();
    await redis?.stop();
    stack = undefined;
    redis = undefined;
  });

  it("starts with Redis down, is not ready, answers 503 at once, and serves once Redis and the directory are there", async () => {
    redis = await ownRedis();
    await redis.kill();
    const started = Date.now();
    stack = await startStack({ env: { REDIS_URL: redis.url, REQUEST_TIMEOUT_MS: "3000" } });
    expect(Date.now() - started, "start-up time").to.be.below(10_000);

    const down = await readiness(stack.api.url);
    expect(down.status).to.equal(503);
    expect(down.checks).to.include({ redis: "unreachable", replies: "not_subscribed" });
    for (let i = 0; i < 3; i++) expectUnavailable(await timedPost(stack), FAST_MS);

    await redis.start();
    const empty = await until("Redis reachable", 15_000, async () => {
      const r = await readiness(stack!.api.url);
      return r.checks.redis === "ok" && r.checks.workers === 1 ? r : undefined;
    });
    expect(empty.status).to.equal(503);
    expect(empty.checks.directory).to.equal("empty");

    await stack.importLines(DIRECTORY);
    // The subscription queued while Redis was down went through when it came up.
    await until("ready", 5000, async () => ((await readiness(stack!.api.url)).status === 200 ? true : undefined));
    expect((await readiness(stack.api.url)).checks.replies).to.equal("listening");
    const served = await until("a URL", 15_000, async () => {
      const answer = await timedPost(stack!);
      return answer.status === 200 ? answer : undefined;
    });
    expect(served.body.contentUrl).to.be.a("string");
  });

  it("answers 503 fast while Redis is dead, and recovers by itself when it returns", async () => {
    redis = await ownRedis({ persist: true });
    stack = await startStack({ env: { REDIS_URL: redis.url, REQUEST_TIMEOUT_MS: "3000" } });
    await stack.importLines(DIRECTORY);
    expect((await timedPost(stack)).status).to.equal(200);

    await redis.kill();
    for (let i = 0; i < 5; i++) expectUnavailable(await timedPost(stack), FAST_MS);
    // Admin calls too: 503-100, safe to repeat, not 500-100.
    const admin = { Authorization: `Bearer ${stack.token("client", "admin", { scope: "directory:read directory:write" })}` };
    for (const [method, body] of [["GET", undefined], ["PUT", "{}"]] as const) {
      const res = await fetch(`${stack.api.url}/directory/client/c9`, { method, headers: { ...admin, "Content-Type": "application/json" }, body });
      expect([res.status, ((await res.json()) as { code: string }).code, res.headers.get("Retry-After")], method).to.deep.equal([503, "503-100", "1"]);
    }
    const down = await readiness(stack.api.url);
    expect(down.status).to.equal(503);
    expect(down.ms).to.be.below(FAST_MS);

    await redis.start();
    const served = await until("a URL after the restart", 20_000, async () => {
      const answer = await timedPost(stack!);
      return answer.status === 200 ? answer : undefined;
    });
    expect(served.body.contentUrl).to.be.a("string");
    expect((await readiness(stack.api.url)).status).to.equal(200);
  });

  it("answers 503 within bounded time while Redis is frozen, and serves again once it thaws", async () => {
    redis = await ownRedis();
    stack = await startStack({ env: { REDIS_URL: redis.url, REQUEST_TIMEOUT_MS: "2000", REDIS_COMMAND_TIMEOUT_MS: "300" } });
    await stack.importLines(DIRECTORY);
    expect((await timedPost(stack)).status).to.equal(200);

    redis.freeze();
    const answers = await Promise.all(Array.from({ length: 5 }, () => timedPost(stack!)));
    // The deadline, then the claim and the audit append, each bounded by the command timeout, with
    // room for a loaded machine.
    for (const answer of answers) expectUnavailable(answer, 2000 + 2 * 300 + 1500);
    const frozen = await readiness(stack.api.url);
    expect(frozen.status).to.equal(503);
    // Bounded by the command timeout: before the 2 s a request waits.
    expect(frozen.ms).to.be.below(300 + 1200);

    redis.thaw();
    const served = await until("a URL after the thaw", 15_000, async () => {
      const answer = await timedPost(stack!);
      return answer.status === 200 ? answer : undefined;
    });
    expect(served.body.contentUrl).to.be.a("string");
  });

  it("says the directory is empty after Redis restarts empty, and serves again once it is re-imported", async () => {
    redis = await ownRedis();
    stack = await startStack({ env: { REDIS_URL: redis.url } });
    await stack.importLines(DIRECTORY);
    await until("ready", 10_000, async () => ((await readiness(stack!.api.url)).status === 200 ? true : undefined));

    await redis.kill();
    await redis.start();
    const empty = await until("the empty directory seen", 15_000, async () => {
      const r = await readiness(stack!.api.url);
      return r.checks.redis === "ok" && r.checks.workers === 1 ? r : undefined;
    });
    expect(empty.status).to.equal(503);
    expect(empty.checks.directory).to.equal("empty");
    // An empty directory knows no actor, yet the token is not refused for that.
    expectUnavailable(await timedPost(stack), 5000);

    await stack.importLines(DIRECTORY);
    expect((await readiness(stack.api.url)).status).to.equal(200);
    const served = await timedPost(stack);
    expect(served.status).to.equal(200);
    expect(served.body.contentUrl).to.be.a("string");
  });

  it("warns at start when Redis may evict keys", async () => {
    redis = await ownRedis({ args: ["--maxmemory-policy", "allkeys-lru"] });
    const lines: string[] = [];
    stack = await startStack({ env: { REDIS_URL: redis.url, LOG_LEVEL: "warn" }, logDestination: { write: (line) => lines.push(line) } });
    // One warning from the API, one from the worker.
    const warnings = () => lines.filter((l) => l.includes("maxmemory-policy")).map((l) => JSON.parse(l) as { level: string; maxmemoryPolicy: string });
    await until("both warnings", 5000, async () => (warnings().length === 2 ? true : undefined));
    for (const warning of warnings()) expect(warning).to.include({ level: "warn", maxmemoryPolicy: "allkeys-lru" });
  });

  describe("worker and API processes", () => {
    /** The environment of a process joining `stack`: same Redis, prefix, S3 and secret. */
    const envOf = (s: Stack, extra: Record<string, string> = {}) => ({ ...s.env, ...extra });

    /** Sends a request whose job a worker process takes, then kills that process mid-job (SIGKILL). */
    async function requestKilledMidJob(s: Stack): Promise<{ requestId: string; answer: Promise<Response> }> {
      await s.importLines(DIRECTORY);
      const doomed = spawnService("test/fixtures/worker.ts", envOf(s, { PRESIGN_HANG: "1" }));
      await doomed.message("started");
      const requestId = `killed-${Date.now()}`;
      const answer = s.post(BODY, { token: s.token("client", "app1"), headers: { "X-Request-Id": requestId } });
      await doomed.message("presigning");
      doomed.child.kill("SIGKILL");
      await doomed.exited();
      return { requestId, answer };
    }

    it("lets another worker finish the job of a worker killed mid-job, with one URL and one issued event", async () => {
      stack = await startStack({ worker: false, env: { REQUEST_TIMEOUT_MS: "10000", WORKER_LOCK_MS: "1000" } });
      const { requestId, answer } = await requestKilledMidJob(stack);
      stack.worker = await startWorker(stack.config, log);

      const res = await answer;
      const body = (await res.json()) as Record<string, unknown>;
      expect(res.status, JSON.stringify(body)).to.equal(200);
      expect(body.contentUrl).to.be.a("string");
      const events = (await stack.auditEvents()).filter((e) => e.requestId === requestId);
      expect(events.map((e) => e.outcome)).to.deep.equal(["issued"]);
    });

    it("answers 503 when no worker can take the job over before its deadline, and the late one issues nothing", async () => {
      // No other worker runs before the answer, so any deadline will do: one the doomed worker surely meets.
      stack = await startStack({ worker: false, env: { REQUEST_TIMEOUT_MS: "3000", REDIS_COMMAND_TIMEOUT_MS: "200", WORKER_LOCK_MS: "1000" } });
      const { requestId, answer } = await requestKilledMidJob(stack);

      const res = await answer;
      expect(res.status).to.equal(503);
      stack.worker = await startWorker(stack.config, log);
      const events = await until("the late job's event", 10_000, async () => {
        const all = (await stack!.auditEvents()).filter((e) => e.requestId === requestId);
        return all.some((e) => e.reason === "deadline_passed") ? all : undefined;
      });
      expect(events.map((e) => `${e.outcome}/${e.reason}`).sort()).to.deep.equal(["unavailable/deadline_passed", "unavailable/no_result_before_deadline"]);
    });

    it("lets a worker finish its active jobs on SIGTERM, then exit 0", async () => {
      stack = await startStack({ worker: false });
      await stack.importLines(DIRECTORY);
      const worker = spawnService("test/fixtures/worker.ts", envOf(stack, { PRESIGN_DELAY_MS: "500" }));
      await worker.message("started");
      const token = stack.token("client", "app1");
      let active = 0;
      worker.child.on("message", (m: { type?: string }) => void (m.type === "presigning" && active++));
      const answers = Array.from({ length: 4 }, () => stack!.post(BODY, { token }));
      await until("four active jobs", 5000, async () => (active === 4 ? true : undefined));
      worker.child.kill("SIGTERM");
      expect(await worker.exited(), worker.output()).to.equal(0);
      const statuses = await Promise.all(answers.map(async (a) => (await a).status));
      expect(statuses).to.deep.equal([200, 200, 200, 200]);
    });

    it("stops the API and the worker on SIGTERM, exit 0, even after their Redis has died", async () => {
      redis = await ownRedis();
      stack = await startStack({ worker: false, env: { REDIS_URL: redis.url } });
      const port = await freePort();
      const api = spawnService("api/main.ts", envOf(stack, { PORT: String(port) }));
      const worker = spawnService("test/fixtures/worker.ts", envOf(stack));
      await worker.message("started");
      await until("the API", 30_000, async () => ((await fetch(`http://127.0.0.1:${port}/health/live`)).ok ? true : undefined));

      await redis.kill();
      await sleep(300);
      const started = Date.now();
      api.child.kill("SIGTERM");
      worker.child.kill("SIGTERM");
      expect(await api.exited(), api.output()).to.equal(0);
      expect(await worker.exited(), worker.output()).to.equal(0);
      // Bounded by the request deadline and the lock (the worker's close), not by Redis coming back.
      expect(Date.now() - started).to.be.below(20_000);
      await redis.start();
    });

    it("lets the API answer its in-flight requests on SIGTERM, refuse new ones, then exit 0", async () => {
      stack = await startStack({ worker: false });
      await stack.importLines(DIRECTORY);
      const createPresigner = (await import("../../worker/presign.js")).createPresigner;
      const presign = createPresigner(stack.config.s3);
      // Each sign job holds its presign until the SIGTERM has been sent, so every request is still in flight then.
      let started = 0;
      let release!: () => void;
      const stopped = new Promise<void>((resolve) => (release = resolve));
      stack.worker = await startWorker({ ...stack.config, workerConcurrency: 32 }, log, { presign: async (input) => ((started += 1), await stopped, await sleep(100), presign(input)) });
      const port = await freePort();
      // A request timeout no request reaches while the worker takes all 20 on a loaded machine.
      const api = spawnService("api/main.ts", envOf(stack, { PORT: String(port), REQUEST_TIMEOUT_MS: "30000" }));
      const url = `http://127.0.0.1:${port}`;
      await until("the API", 30_000, async () => ((await fetch(`${url}/health/live`)).ok ? true : undefined));

      const token = stack.token("client", "app1");
      const post = () => fetch(`${url}/assets/predownload`, { method: "POST", headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` }, body: JSON.stringify(BODY) });
      const inFlight = Array.from({ length: 20 }, post);
      await until("every request taken by the worker", 15_000, async () => (started === 20 ? true : undefined));
      api.child.kill("SIGTERM");
      release();
      const statuses = await Promise.all(inFlight.map(async (p) => (await p).status));
      expect(statuses).to.deep.equal(Array(20).fill(200));
      expect(await api.exited(), api.output()).to.equal(0);
      let refused = false;
      await post().catch(() => (refused = true));
      expect(refused, "a request after the stop").to.equal(true);
    });
  });
});
