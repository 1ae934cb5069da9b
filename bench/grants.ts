/**
 * Grants (`CONTENT_URL_MODE=grant`): the cost of a redeem (`GET /assets/download/{grant}`, answered
 * 302) against the issue that made the grant (`POST /assets/predownload`), and Redis's memory per
 * live grant. A grant-mode API process joins the running stack (the workers serve either mode);
 * at one connection, each pair issues a grant and then redeems it, so that drift and noise of a
 * shared machine touch both halves alike. Target: a redeem costs at most 1.2 times an issue.
 */
import { Agent, request } from "node:http";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort } from "../dev/local-redis.js";
import { waitForApi } from "../dev/readiness.js";
import { dataNodes, type RedisClient } from "../shared/redis/client.js";
import { keysFor, type Keys } from "../shared/redis/keys.js";
import { RESULT_GRACE_MS } from "../shared/redis/settlement.js";
import { loadConfig } from "../shared/runtime/config.js";
import { runLoad } from "./load.js";
import { startProcess } from "./processes.js";
import type { RequestSpec } from "./seed.js";

export interface GrantsBenchOptions {
  /** The stack's environment: the grant-mode API is started with it, in grant mode. */
  readonly env: Record<string, string>;
  readonly redis: RedisClient;
  /** Requests of the mix; those expected to be issued are used. */
  readonly specs: readonly RequestSpec[];
  /** Issue-then-redeem pairs measured (after a tenth as many to warm up). */
  readonly pairs: number;
  /** Grants whose memory is measured (issued at 16 connections, then removed). */
  readonly memoryGrants?: number;
}

export interface GrantsBenchResult {
  readonly pairs: number;
  readonly issueMedianMs: number;
  readonly redeemMedianMs: number;
  /** Median redeem ÷ median issue. */
  readonly ratio: number;
  /** Median of each pair's redeem ÷ issue. */
  readonly pairRatio: number;
  readonly errors: number;
  readonly bytesPerGrant: number;
  readonly grantsMeasured: number;
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

/** One request on `agent`; resolves its status, its `Location` (or its body), and its time in ms. */
function timed(agent: Agent, url: string, method: string, headers: Record<string, string>, body?: string): Promise<{ status: number; text: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(url, { agent, method, headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode!, text: res.headers.location ?? text, ms: performance.now() - started }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** Redis's `used_memory`, summed over the masters. */
async function usedMemory(redis: RedisClient): Promise<number> {
  const infos = await Promise.all(dataNodes(redis).map((node) => node.info("memory")));
  return infos.reduce((sum, info) => sum + Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? "0"), 0);
}

/** Deletes every live grant; resolves how many there were. */
async function removeGrants(redis: RedisClient, keys: Keys): Promise<number> {
  let removed = 0;
  for (const node of dataNodes(redis)) {
    for (const pattern of new Set(keys.shards.map((shard) => shard.grant("*")))) {
      let cursor = "0";
      do {
        const [next, batch] = await node.scan(cursor, "MATCH", pattern, "COUNT", 1000);
        cursor = next;
        // One UNLINK per key: on a cluster node the keys of one batch may lie in different slots.
        if (batch.length > 0) removed += (await Promise.all(batch.map((key) => node.unlink(key)))).reduce((a, b) => a + b, 0);
      } while (cursor !== "0");
    }
  }
  return removed;
}

export async function grantsBench(options: GrantsBenchOptions): Promise<GrantsBenchResult> {
  const config = loadConfig(options.env);
  const issued = options.specs.filter((s) => s.outcome === "issued");
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const api = startProcess("api-grants", "api/main.ts", { ...options.env, PORT: String(port), CONTENT_URL_MODE: "grant", PUBLIC_BASE_URL: base });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    await waitForApi(base, new AbortController().signal, 30_000);
    const issues: number[] = [];
    const redeems: number[] = [];
    let errors = 0;
    const warmUp = Math.ceil(options.pairs / 10);
    for (let i = 0; i < warmUp + options.pairs; i++) {
      const spec = issued[i % issued.length]!;
      const issue = await timed(agent, `${base}/assets/predownload`, "POST", { "content-type": "application/json", authorization: `Bearer ${spec.token}` }, spec.body);
      const link = issue.status === 200 ? (JSON.parse(issue.text) as { contentUrl: string }).contentUrl : undefined;
      if (link === undefined) {
        errors++;
        continue;
      }
      const redeem = await timed(agent, link, "GET", {});
      if (redeem.status !== 302) errors++;
      if (i >= warmUp) {
        issues.push(issue.ms);
        redeems.push(redeem.ms);
      }
    }

    const memoryGrants = options.memoryGrants ?? 10_000;
    await runLoad({ url: base, connections: 16, specs: issued, amount: memoryGrants });
    // The requests' results live until their deadline and a grace: gone, they cannot count against the grants.
    await sleep(config.requestTimeoutMs + RESULT_GRACE_MS + 1000);
    const withGrants = await usedMemory(options.redis);
    const grants = await removeGrants(options.redis, keysFor(config));
    const without = await usedMemory(options.redis);
    const pairRatios = issues.map((ms, i) => redeems[i]! / ms);
    return {
      pairs: issues.length,
      issueMedianMs: median(issues),
      redeemMedianMs: median(redeems),
      ratio: median(redeems) / median(issues),
      pairRatio: median(pairRatios),
      errors,
      bytesPerGrant: grants === 0 ? Number.NaN : (withGrants - without) / grants,
      grantsMeasured: grants,
    };
  } finally {
    agent.destroy();
    await api.stop();
  }
}

/** The section `npm run bench` prints. */
export function grantsReport(result: GrantsBenchResult): string {
  const ms = (v: number) => v.toFixed(3);
  return [
    `\n## Grants: issue then redeem, one connection, ${result.pairs} pairs (paired: noise touches both alike)`,
    "| issue p50 ms | redeem p50 ms | redeem ÷ issue (medians) | median of pair ratios | errors | bytes per live grant |",
    "|---|---|---|---|---|---|",
    `| ${ms(result.issueMedianMs)} | ${ms(result.redeemMedianMs)} | ${result.ratio.toFixed(2)} | ${result.pairRatio.toFixed(2)} | ${result.errors} | ${result.bytesPerGrant.toFixed(0)} (${result.grantsMeasured} grants) |`,
    `- ${result.ratio <= 1.2 ? "met" : "MISSED"}: a redeem ≤ 1.2 × an issue`,
  ].join("\n");
}
