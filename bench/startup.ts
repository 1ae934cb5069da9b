/**
 * Start to ready of the API and the worker, TypeScript through tsx against the compiled build
 * (dist/, `npm run build` first), run in turn (tsx, compiled, tsx, …) so that drift of the machine
 * touches both alike. Ready: the API answers `/health/live`, the worker `/health/live` on its own port.
 *
 *   node --import tsx bench/startup.ts [--runs N]
 *
 * Starts its own redis-server; the worker is given an S3 configuration it does not contact at start.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort, spawnRedis } from "../dev/local-redis.js";
import { median } from "./stats.js";

const runsArg = process.argv.indexOf("--runs");
const RUNS = runsArg >= 0 ? Number(process.argv[runsArg + 1]) : 15;
const ROLES = { api: ["api/main.ts", "dist/api/main.js"], worker: ["worker/main.ts", "dist/worker/main.js"] } as const;

if (!existsSync("dist/api/main.js")) {
  console.error("no dist/: run npm run build first");
  process.exit(2);
}

const redis = await spawnRedis();
const env = {
  PATH: process.env.PATH ?? "",
  REDIS_URL: redis.url,
  KEY_PREFIX: "startup",
  JWT_SECRET: "startup-measurement-secret-of-32-bytes-or-more",
  S3_BUCKET: "attachments",
  S3_ENDPOINT: "http://127.0.0.1:9",
  S3_FORCE_PATH_STYLE: "true",
  AWS_ACCESS_KEY_ID: "id",
  AWS_SECRET_ACCESS_KEY: "secret",
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  LOG_LEVEL: "warn",
};

/** Milliseconds from spawn to the first 200 of `/health/live`, then stops the process. */
async function startToReady(entry: string, role: "api" | "worker"): Promise<number> {
  const port = await freePort();
  const portEnv = role === "api" ? { PORT: String(port) } : { WORKER_HTTP_PORT: String(port) };
  const args = entry.endsWith(".ts") ? ["--import", "tsx", entry] : [entry];
  const started = performance.now();
  const child = spawn(process.execPath, args, { env: { ...env, ...portEnv }, stdio: "ignore" });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  try {
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${port}/health/live`).then((res) => res.ok, () => false);
      if (ok) return performance.now() - started;
      if (performance.now() - started > 30_000) throw new Error(`${entry} not ready within 30 s`);
      await sleep(5);
    }
  } finally {
    child.kill("SIGTERM");
    await exited;
  }
}

try {
  for (const [role, [tsxEntry, compiledEntry]] of Object.entries(ROLES) as Array<["api" | "worker", readonly [string, string]]>) {
    await startToReady(tsxEntry, role);
    await startToReady(compiledEntry, role);
    const tsx: number[] = [];
    const compiled: number[] = [];
    const ratios: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const a = await startToReady(tsxEntry, role);
      const b = await startToReady(compiledEntry, role);
      tsx.push(a);
      compiled.push(b);
      ratios.push(b / a);
    }
    const fmt = (values: number[]) => `median ${median(values).toFixed(0)} ms (min ${Math.min(...values).toFixed(0)}, max ${Math.max(...values).toFixed(0)})`;
    console.log(`${role}: tsx ${fmt(tsx)}; compiled ${fmt(compiled)}; compiled/tsx median ${median(ratios).toFixed(2)} over ${RUNS} pairs`);
  }
} finally {
  await redis.stop();
}
