/** Traces across the queue: OpenTelemetry spans from the API and the worker, exported over OTLP/HTTP to a receiver in the test. */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { expect } from "chai";
import { minimalDirectory, predownloadBody } from "../support/factories.js";
import { Capture } from "../support/log-capture.js";
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from "../support/otlp-receiver.js";
import { until } from "../support/probes.js";
import { startStack, type Stack } from "../support/stack.js";
import { ROOT } from "../support/cli.js";

const BODY = predownloadBody();

/** The spans of one trace once those named have all arrived. */
function spansOf(receiver: OtlpReceiver, traceId: string, names: readonly string[]): Promise<ReceivedSpan[]> {
  return until(`spans ${names.join(", ")} of trace ${traceId}`, 10000, async () => {
    const spans = receiver.spans.filter((span) => span.traceId === traceId);
    return names.every((name) => spans.some((span) => span.name === name)) ? spans : undefined;
  });
}

describe("tracing", () => {
  describe("with an OTLP endpoint", () => {
    let receiver: OtlpReceiver;
    let stack: Stack;
    const logs = new Capture();
    before(async () => {
      receiver = await startOtlpReceiver();
      const env = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: "http/json", OTEL_BSP_SCHEDULE_DELAY: "20", LOG_LEVEL: "info" };
      stack = await startStack({ env, logDestination: logs });
      await stack.importLines(minimalDirectory());
    });
    after(async () => {
      await stack.close();
      await receiver.close();
    });

    it("continues a caller's traceparent through the API and the worker, one trace id in both services and in the audit event", async () => {
      const traceId = randomBytes(16).toString("hex");
      const callerSpan = randomBytes(8).toString("hex");
      const res = await stack.post(BODY, { token: stack.token("client", "app1"), headers: { traceparent: `00-${traceId}-${callerSpan}-01` } });
      expect(res.status).to.equal(200);
      const requestId = res.headers.get("X-Request-Id");

      const spans = await spansOf(receiver, traceId, ["POST /assets/predownload", "send sign", "process sign", "directory read", "presign"]);
      const byName = (name: string) => spans.find((span) => span.name === name)!;
      expect(byName("POST /assets/predownload")).to.include({ service: "predownload-api", kind: 2, parentSpanId: callerSpan });
      expect(byName("POST /assets/predownload").attributes).to.include({ "http.response.status_code": 200, "predownload.outcome": "issued" });
      expect(byName("send sign")).to.include({ service: "predownload-api", kind: 4, parentSpanId: byName("POST /assets/predownload").spanId });
      expect(byName("process sign")).to.include({ service: "predownload-worker", kind: 5, parentSpanId: byName("send sign").spanId });
      expect(byName("directory read")).to.include({ service: "predownload-worker", parentSpanId: byName("process sign").spanId });
      expect(byName("presign")).to.include({ service: "predownload-worker", parentSpanId: byName("process sign").spanId });

      const events = (await stack.auditEvents()).filter((event) => event.requestId === requestId);
      expect(events.map((event) => [event.outcome, event.traceId])).to.deep.equal([["issued", traceId]]);
      const line = logs.lines().find((l) => l.msg === "request" && l.requestId === requestId);
      expect(line).to.include({ traceId });
    });

    it("traces a request without a traceparent under a fresh trace id, its refusal's audit event included", async () => {
      const res = await stack.post(BODY, { token: "not-a-token" });
      expect(res.status).to.equal(401);
      const requestId = res.headers.get("X-Request-Id");
      const server = await until("the request's server span", 10000, async () =>
        receiver.spans.find((span) => span.name === "POST /assets/predownload" && span.attributes["predownload.request_id"] === requestId),
      );
      expect(server.traceId).to.match(/^[0-9a-f]{32}$/);
      expect(server.parentSpanId).to.equal("");
      const events = (await stack.auditEvents()).filter((event) => event.requestId === requestId);
      expect(events.map((event) => [event.outcome, event.traceId])).to.deep.equal([["unauthenticated", server.traceId]]);
    });

    it("exports no span and records traceId null when the caller's trace is not sampled", async () => {
      const traceId = randomBytes(16).toString("hex");
      const res = await stack.post(BODY, { token: stack.token("client", "app1"), headers: { traceparent: `00-${traceId}-${randomBytes(8).toString("hex")}-00` } });
      expect(res.status).to.equal(200);
      const requestId = res.headers.get("X-Request-Id");
      const events = (await stack.auditEvents()).filter((event) => event.requestId === requestId);
      expect(events.map((event) => [event.outcome, event.traceId])).to.deep.equal([["issued", null]]);
      // A later sampled request's spans arrive; none of the unsampled one's ever does.
      const later = randomBytes(16).toString("hex");
      await stack.post(BODY, { token: stack.token("client", "app1"), headers: { traceparent: `00-${later}-${randomBytes(8).toString("hex")}-01` } });
      await spansOf(receiver, later, ["process sign"]);
      expect(receiver.spans.filter((span) => span.traceId === traceId)).to.deep.equal([]);
    });

    it("names both services after OTEL_SERVICE_NAME when it is set", async () => {
      const other = await startOtlpReceiver();
      const named = await startStack({ env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${other.url}/v1/traces`, OTEL_EXPORTER_OTLP_PROTOCOL: "http/json", OTEL_BSP_SCHEDULE_DELAY: "20", OTEL_SERVICE_NAME: "attachments" } });
      try {
        await named.importLines(minimalDirectory());
        const traceId = randomBytes(16).toString("hex");
        await named.post(BODY, { token: named.token("client", "app1"), headers: { traceparent: `00-${traceId}-${randomBytes(8).toString("hex")}-01` } });
        const spans = await spansOf(other, traceId, ["POST /assets/predownload", "process sign"]);
        expect([...new Set(spans.map((span) => span.service))]).to.deep.equal(["attachments"]);
      } finally {
        await named.close();
        await other.close();
      }
    });
  });

  describe("without an endpoint", () => {
    let stack: Stack;
    const logs = new Capture();
    before(async () => {
      stack = await startStack({ env: { LOG_LEVEL: "info" }, logDestination: logs });
      await stack.importLines(minimalDirectory());
    });
    after(async () => stack.close());

    it("writes traceId null in API and worker events, and no trace id in the request's log line, whatever traceparent comes in", async () => {
      const traceparent = `00-${randomBytes(16).toString("hex")}-${randomBytes(8).toString("hex")}-01`;
      const issued = await stack.post(BODY, { token: stack.token("client", "app1"), headers: { traceparent } });
      const refused = await stack.post(BODY, { token: "not-a-token", headers: { traceparent } });
      expect([issued.status, refused.status]).to.deep.equal([200, 401]);
      const ids = [issued.headers.get("X-Request-Id"), refused.headers.get("X-Request-Id")];
      const events = (await stack.auditEvents()).filter((event) => ids.includes(event.requestId as string));
      expect(events.map((event) => [event.outcome, event.traceId])).to.have.deep.members([["issued", null], ["unauthenticated", null]]);
      const lines = logs.lines().filter((l) => l.msg === "request" && ids.includes(l.requestId as string));
      expect(lines).to.have.length(2);
      for (const line of lines) expect(line).to.not.have.property("traceId");
    });

    it("loads no OpenTelemetry SDK module and creates no exporter when the API and the worker start", () => {
      // A process of its own: this one may have loaded the SDK for the tests above. The API package
      // itself is loaded by prom-client (for exemplars) whatever tracing does.
      const script = `
        import { registerHooks } from "node:module";
        const loaded = [];
        registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); if (r.url.includes("/@opentelemetry/") && !r.url.includes("/@opentelemetry/api/")) loaded.push(r.url); return r; } });
        const { loadConfig } = await import("./shared/runtime/config.ts");
        await import("./api/server.ts");
        await import("./worker/worker.ts");
        const { startTracing, NO_TRACING } = await import("./shared/runtime/tracing.ts");
        const config = loadConfig({ S3_BUCKET: "b", AWS_ACCESS_KEY_ID: "a", AWS_SECRET_ACCESS_KEY: "s", JWT_SECRET: "x".repeat(32), OTEL_EXPORTER_OTLP_PROTOCOL: "http/json" });
        const log = { info() {}, warn() {} };
        const tracings = [await startTracing(config.tracing, "api", log), await startTracing(config.tracing, "worker", log)];
        console.log(JSON.stringify({ loaded, off: tracings.every((t) => t === NO_TRACING) }));
      `;
      const run = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: ROOT, encoding: "utf8", env: { PATH: process.env.PATH ?? "" } });
      expect(run.status, run.stderr).to.equal(0);
      expect(JSON.parse(run.stdout.trim().split("\n").pop()!)).to.deep.equal({ loaded: [], off: true });
    });
  });
});
