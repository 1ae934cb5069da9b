/** Health, metrics and request logs of the API and the worker. */
import { expect } from "chai";
import { createLogger } from "../../shared/runtime/log.js";
import { startWorker } from "../../worker/worker.js";
import { client, minimalDirectory, predownloadBody } from "../support/factories.js";
import { until } from "../support/probes.js";
import { startStack, type Stack } from "../support/stack.js";

const BODY = predownloadBody();
const DIRECTORY = minimalDirectory();

async function getJson(url: string): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const res = await fetch(url);
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

/** The value of one sample in Prometheus text, or undefined when it is not there. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return undefined;
}

describe("observability", () => {
  describe("health", () => {
    let stack: Stack;
    before(async () => {
      stack = await startStack();
    });
    after(async () => stack.close());

    it("answers live on the API and on the worker's own port", async () => {
      for (const base of [stack.api.url, stack.worker!.http.url]) {
        const live = await getJson(`${base}/health/live`);
        expect(live.status).to.equal(200);
        expect(live.body).to.deep.equal({ status: "live" });
        expect(live.headers.get("Cache-Control")).to.equal("no-store");
      }
    });

    it("is not ready while the directory was never imported, and ready once it was", async () => {
      const before = await getJson(`${stack.api.url}/health/ready`);
      expect(before.status).to.equal(503);
      expect(before.body).to.deep.equal({ status: "not_ready", checks: { redis: "ok", workers: 1, directory: "empty", replies: "listening", shards: "agreed" } });
      await stack.importLines(DIRECTORY);
      const after = await getJson(`${stack.api.url}/health/ready`);
      expect(after.status).to.equal(200);
      expect(after.body).to.deep.equal({ status: "ready", checks: { redis: "ok", workers: 1, directory: "loaded", replies: "listening", shards: "agreed" } });
    });

    it("says the worker is ready on its own port", async () => {
      const ready = await getJson(`${stack.worker!.http.url}/health/ready`);
      expect(ready.status).to.equal(200);
      expect(ready.body).to.deep.equal({ status: "ready", checks: { redis: "ok", worker: "running", shards: "agreed" } });
    });

    it("counts the workers by heartbeat: none once the only worker stopped", async () => {
      await stack.worker!.close();
      stack.worker = undefined;
      const ready = await getJson(`${stack.api.url}/health/ready`);
      expect(ready.status).to.equal(503);
      expect(ready.body.checks).to.deep.include({ workers: 0 });
    });

    it("refuses other methods on the health routes with 405 and Allow", async () => {
      const res = await fetch(`${stack.api.url}/health/ready`, { method: "POST" });
      expect(res.status).to.equal(405);
      expect(res.headers.get("Allow")).to.equal("GET, HEAD");
    });
  });

  describe("metrics and logs", () => {
    let stack: Stack;
    const lines: Array<Record<string, unknown>> = [];
    before(async () => {
      stack = await startStack({ env: { LOG_LEVEL: "info" }, logDestination: { write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) } });
      await stack.importLines(DIRECTORY);
    });
    after(async () => stack.close());

    it("counts requests by route, status and outcome, and times them", async () => {
      const token = stack.token("client", "app1");
      for (let i = 0; i < 3; i++) expect((await stack.post(BODY, { token })).status).to.equal(200);
      expect((await stack.post({ ...BODY, altId: "missing" }, { token })).status).to.equal(404);
      expect((await stack.post(BODY)).status).to.equal(401);
      const text = await (await fetch(`${stack.api.url}/metrics`)).text();
      const route = "/assets/predownload";
      expect(sample(text, "predownload_http_requests_total", { route, status: "200", outcome: "issued" })).to.equal(3);
      expect(sample(text, "predownload_http_requests_total", { route, status: "404", outcome: "not_found" })).to.equal(1);
      expect(sample(text, "predownload_http_requests_total", { route, status: "401", outcome: "unauthenticated" })).to.equal(1);
      expect(sample(text, "predownload_http_request_duration_seconds_count", { route })).to.equal(5);
      expect(sample(text, "predownload_queue_jobs", { state: "waiting" })).to.equal(0);
      expect(sample(text, "predownload_queue_jobs", { state: "active" })).to.be.a("number");
      expect(sample(text, "predownload_workers_live")).to.equal(1);
      expect(sample(text, "predownload_pending_replies")).to.equal(0);
      expect(text).to.include("# TYPE predownload_redis_errors_total counter");
      expect(text).to.include('process="api"');
    });

    it("counts the worker's jobs by outcome, their duration and its heartbeats", async () => {
      const text = await (await fetch(`${stack.worker!.http.url}/metrics`)).text();
      expect(sample(text, "predownload_jobs_total", { outcome: "issued" })).to.equal(3);
      expect(sample(text, "predownload_jobs_total", { outcome: "not_found" })).to.equal(1);
      expect(sample(text, "predownload_job_duration_seconds_count", { outcome: "issued" })).to.equal(3);
      expect(sample(text, "predownload_worker_heartbeats_total")).to.be.at.least(1);
      expect(sample(text, "predownload_queue_jobs", { state: "waiting" })).to.equal(0);
      expect(text).to.include('process="worker"');
    });

    it("logs one JSON line per request with its request id, status, outcome and duration", async () => {
      const res = await stack.post(BODY, { token: stack.token("client", "app1"), headers: { "X-Request-Id": "log-check-1" } });
      expect(res.status).to.equal(200);
      const line = lines.find((l) => l.msg === "request" && l.requestId === "log-check-1");
      expect(line).to.include({ level: "info", method: "POST", path: "/assets/predownload", status: 200, outcome: "issued" });
      expect(line!.durationMs).to.be.a("number");
    });

    it("logs an unknown path without the token the request presented", async () => {
      const token = stack.token("client", "app1");
      const signature = token.split(".")[2]!;
      const res = await fetch(`${stack.api.url}/files/${signature}`, { headers: { Authorization: `Bearer ${token}`, "X-Request-Id": "log-check-2" } });
      expect(res.status).to.equal(404);
      const line = lines.find((l) => l.msg === "request" && l.requestId === "log-check-2");
      expect(line).to.include({ status: 404 });
      expect(line!.path).to.be.a("string").and.not.include(signature);
    });

    it("counts Redis connection errors by role", async () => {
      // A client of the API's role that cannot connect: its errors are counted in the registry it reports to.
      const { createMetrics } = await import("../../shared/runtime/metrics.js");
      const { createRedis } = await import("../../shared/redis/client.js");
      const metrics = createMetrics("api");
      const redis = createRedis({ kind: "single", url: "redis://127.0.0.1:1" }, "command", { onError: metrics.onRedisError });
      await new Promise((resolve) => redis.once("error", resolve));
      redis.disconnect();
      expect(sample(await metrics.registry.metrics(), "predownload_redis_errors_total", { role: "command" })).to.be.at.least(1);
    });
  });

  describe("the scaling signal", () => {
    let stack: Stack;
    before(async () => {
      stack = await startStack({ worker: false, env: { QUEUE_SHARDS: "2", REQUEST_TIMEOUT_MS: "8000" } });
      await stack.importLines(minimalDirectory());
    });
    after(async () => stack.close());

    /** `predownload_queue_backlog` of every shard on a /metrics page. */
    async function backlog(baseUrl: string): Promise<number[]> {
      const text = await (await fetch(`${baseUrl}/metrics`)).text();
      return ["0", "1"].map((shard) => sample(text, "predownload_queue_backlog", { shard }) ?? Number.NaN);
    }

    it("counts the jobs no worker has taken, per shard, and falls back to 0 once workers drain them", async () => {
      expect(await backlog(stack.api.url)).to.deep.equal([0, 0]);
      const token = stack.token("client", "app1");
      const answers = Promise.all(Array.from({ length: 8 }, () => stack.post(predownloadBody(), { token }).then((res) => res.status)));
      await until("8 jobs in the backlog, summed over the shards", 5000, async () => {
        const shards = await backlog(stack.api.url);
        return shards[0]! + shards[1]! === 8 ? shards : undefined;
      });

      stack.worker = await startWorker(stack.config, createLogger("test", "silent"));
      expect(await answers).to.deep.equal(Array(8).fill(200));
      expect(await backlog(stack.worker.http.url)).to.deep.equal([0, 0]);
      expect(await backlog(stack.api.url)).to.deep.equal([0, 0]);
    });
  });
});
