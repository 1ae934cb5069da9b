/**
 * A revocation by attachment or by actor racing the issue of grants, while the processes' clocks
 * disagree by their measurement's uncertainty: one process's `TIME` requests are held on their way
 * to Redis (a busy connection, a slow send path), so that it measures its offset half the hold
 * ahead of the real time. Whichever process is off, and whatever clock is used, every grant whose
 * issue finished before the revocation was sent is refused, and every grant whose issue started
 * after the revocation's 200 works.
 */
import { performance } from "node:perf_hooks";
import { expect } from "chai";
import { startApi, type RunningApi } from "../../api/server.js";
import { loadConfig } from "../../shared/runtime/config.js";
import { createLogger } from "../../shared/runtime/log.js";
import { startWorker } from "../../worker/worker.js";
import { activity, attachment, client, department, predownloadBody } from "../support/factories.js";
import { until } from "../support/probes.js";
import { startStack, type Stack } from "../support/stack.js";
import { tcpProxy, type TcpProxy } from "../support/tcp-proxy.js";

const PUBLIC_BASE_URL = "https://files.example.test";
/** How long the skewed process's `TIME` requests are held: its clock runs about half of it ahead. */
const HOLD_MS = 600;
const LANES = 6;
/** Issues that must have started after the revocation's answer before the race ends. */
const AFTER = 24;

interface Issue {
  readonly grant: string;
  readonly startedAt: number;
  readonly endedAt: number;
}

/** The value of `predownload_clock_offset_seconds` on a /metrics page. */
async function clockOffsetSeconds(metricsBase: string): Promise<number> {
  const text = await (await fetch(`${metricsBase}/metrics`)).text();
  const match = /^predownload_clock_offset_seconds\{[^}]*\} (\S+)$/m.exec(text);
  if (match === null) throw new Error("no predownload_clock_offset_seconds on /metrics");
  return Number(match[1]);
}

describe("a revocation racing the issue of grants, clocks disagreeing", function () {
  this.timeout(60_000);
  let stack: Stack;
  let proxy: TcpProxy;
  let skewedApi: RunningApi | undefined;
  const log = createLogger("test", "silent");

  before(async () => {
    stack = await startStack({ worker: false, env: { CONTENT_URL_MODE: "grant", PUBLIC_BASE_URL, WORKER_CONCURRENCY: "16" } });
    await stack.importLines([department("d1"), client("app1"), client("app2"), client("admin"), activity("a1"), attachment("race1"), attachment("race2")]);
    proxy = await tcpProxy(Number(new URL(stack.env.REDIS_URL!).port || 6379), { hold: { name: "TIME", delayMs: HOLD_MS } });
  });
  after(async () => {
    await skewedApi?.close();
    await stack?.close();
    await proxy?.close();
  });

  /** The stack's configuration, with Redis reached through the proxy that holds `TIME`. */
  const skewed = () => loadConfig({ ...stack.env, REDIS_URL: proxy.url });

  /**
   * Issues grants of `altId` to `actor` on {@link LANES} lanes through the stack's API; once 30
   * have been issued, sends `revocation` to `revokeVia` the moment an issue finishes, and goes on
   * until {@link AFTER} issues started after its answer. Then checks every grant with HEAD.
   */
  async function race(altId: string, actor: string, revokeVia: string, revocation: unknown): Promise<void> {
    const token = stack.token("client", actor);
    const issues: Issue[] = [];
    let revocation$: Promise<{ sent: number; answered: number }> | undefined;
    const sendRevocation = async () => {
      const sent = performance.now();
      const res = await fetch(`${revokeVia}/assets/revocations`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${stack.token("client", "admin", { scope: "grants:revoke" })}` },
        body: JSON.stringify(revocation),
      });
      expect([res.status, await res.json()]).to.deep.equal([200, { revoked: 0 }]);
      return { sent, answered: performance.now() };
    };
    let answeredAt = Infinity;
    // Any failure stops every lane: none goes on waiting for an answer that will not come.
    let stopped = false;
    const lanes = Array.from({ length: LANES }, async () => {
      while (!stopped && issues.filter((i) => i.startedAt > answeredAt).length < AFTER) {
        const startedAt = performance.now();
        const res = await stack.post(predownloadBody({ altId }), { token });
        const body = (await res.json()) as { contentUrl: string };
        expect(res.status, JSON.stringify(body)).to.equal(200);
        issues.push({ grant: body.contentUrl.split("/").pop()!, startedAt, endedAt: performance.now() });
        // Right after an issue finished: the grants issued just before the call are the ones a clock would misjudge.
        if (issues.length === 30 && revocation$ === undefined) {
          revocation$ = sendRevocation();
          revocation$.then(
            ({ answered }) => (answeredAt = answered),
            () => (stopped = true),
          );
        }
      }
    });
    await Promise.all(lanes).finally(() => (stopped = true));
    const { sent, answered } = await revocation$!;
    const before = issues.filter((i) => i.endedAt < sent);
    const after = issues.filter((i) => i.startedAt > answered);
    expect(before.length).to.be.at.least(30);
    expect(after.length).to.be.at.least(AFTER);
    const status = async (i: Issue) => (await fetch(`${stack.api.url}/assets/download/${i.grant}`, { method: "HEAD" })).status;
    const refused = await Promise.all(before.map(status));
    const working = await Promise.all(after.map(status));
    expect(refused.filter((s) => s !== 410), "grants issued before the call that still work").to.deep.equal([]);
    expect(working.filter((s) => s !== 200), "grants issued after the answer that are refused").to.deep.equal([]);
  }

  it("revokes every grant of an attachment issued before the call, though the issuing worker's clock runs ahead", async () => {
    await stack.worker?.close();
    stack.worker = await startWorker(skewed(), log);
    const offset = await until("the worker's clock measured ahead", 10_000, async () => {
      const seconds = await clockOffsetSeconds(stack.worker!.http.url);
      return seconds > HOLD_MS / 4 / 1000 ? seconds : undefined;
    });
    expect(offset).to.be.below(HOLD_MS / 1000);
    await race("race1", "app1", stack.api.url, { altId: "race1" });
  });

  it("revokes every grant of an actor issued before the call and none issued after, though the revoking API's clock runs ahead", async () => {
    await stack.worker?.close();
    stack.worker = await startWorker(stack.config, log);
    skewedApi = await startApi(skewed(), log);
    await until("the API's clock measured ahead", 10_000, async () => ((await clockOffsetSeconds(skewedApi!.url)) > HOLD_MS / 4 / 1000 ? true : undefined));
    await race("race2", "app2", skewedApi.url, { actor: { type: "client", id: "app2" } });
  });
});
