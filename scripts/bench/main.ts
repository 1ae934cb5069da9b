/**
 * `npm run bench [-- --workers N --duration S --connections 1,16,64 --soak N --soak-warmup N --cluster --profile DIR]`:
 * starts its own Redis (one server, or with `--cluster` a 3-master, 3-replica Redis Cluster on
 * loopback), S3 server, one API process and N worker processes, seeds a large directory, drives the
 * endpoint with autocannon, then does the same against the in-process reference, and prints the
 * table with the targets. With `--profile DIR` those processes write CPU profiles into DIR.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { loadConfig } from "../../shared/config.js";
import { writeDirectory } from "../../shared/directory-store.js";
import { keysFor } from "../../shared/keys.js";
import { createRedis, type RedisClient } from "../../shared/redis.js";
import { parseRedisUrl } from "../../shared/redis-url.js";
import { startRedisCluster } from "../local-redis-cluster.js";
import { EMBEDDED_S3_CREDENTIALS, startEmbeddedS3 } from "../embedded-s3.js";
import { freePort, spawnRedis } from "../local-redis.js";
import { waitForApi } from "../readiness.js";
import { bullmqEmptyJobCpuUs } from "./baseline.js";
import { runLoad, type LoadResult } from "./load.js";
import { microbenchmarks } from "./micro.js";
import { roundTripDelta, startProcess, type BenchProcess, type ProcessStats } from "./processes.js";
import { redisCpuSeconds } from "./redis-cpu.js";
import { buildDirectory, buildRequests, type RequestSpec } from "./seed.js";

const { values: args } = parseArgs({
  options: {
    workers: { type: "string", default: "1" },
    duration: { type: "string", default: "10" },
    connections: { type: "string", default: "1,16,64" },
    soak: { type: "string", default: "200000" },
    "soak-warmup": { type: "string", default: "50000" },
    cluster: { type: "boolean", default: false },
    profile: { type: "string" },
  },
});
const WORKERS = Number(args.workers);
const DURATION = Number(args.duration);
const LEVELS = args.connections.split(",").map(Number);
const SOAK = Number(args.soak);
const SOAK_WARMUP = Number(args["soak-warmup"]);
const CLUSTER = args.cluster;
/** `--profile DIR`: the API, worker and reference processes write CPU profiles into DIR. */
const PROFILE_DIR = args.profile;
const BUCKET = "attachments";
const SECRET = randomBytes(32).toString("hex");

interface Row {
  readonly system: string;
  readonly connections: number;
  readonly load: LoadResult;
  readonly roundTripsPerRequest: number;
  readonly redisCpuUsPerRequest: number;
}

const ms = (v: number) => v.toFixed(2);
const mb = (bytes: number) => `${(bytes / 1048576).toFixed(0)} MB`;

async function main(): Promise<void> {
  console.log(
    `# Benchmark: ${CLUSTER ? "Redis Cluster (3 masters, 3 replicas)" : "one Redis server"}, ${WORKERS} worker process(es), ${DURATION} s per level, levels ${LEVELS.join("/")}, soak ${SOAK}`,
  );
  const redisServer = CLUSTER ? await startRedisCluster({ persist: false }) : await spawnRedis();
  const s3Dir = mkdtempSync(join(tmpdir(), "pd-bench-s3-"));
  const s3 = await startEmbeddedS3({ directory: s3Dir, bucket: BUCKET });
  const redis = createRedis(parseRedisUrl(redisServer.url), "worker", { name: "predownload-bench" });
  const processes: BenchProcess[] = [];
  try {
    const env = {
      REDIS_URL: redisServer.url,
      KEY_PREFIX: "pd",
      S3_ENDPOINT: s3.endpoint,
      S3_BUCKET: BUCKET,
      AWS_ACCESS_KEY_ID: EMBEDDED_S3_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: EMBEDDED_S3_CREDENTIALS.secretAccessKey,
      JWT_SECRET: SECRET,
      LOG_LEVEL: "warn",
      WORKER_CONCURRENCY: "32",
      // The limiter runs (its round trip is measured) but never refuses: the mix has hot actors.
      RATE_LIMIT_PER_SECOND: "100000",
      WORKER_HTTP_PORT: "0",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    };
    const config = loadConfig(env);

    const micro = await microbenchmarks(config);
    console.log(
      `\n## Microbenchmarks (µs/op)\n| presign | token verify | validation | for comparison: the SDK's getSignedUrl | for comparison: verify with a string secret |\n|---|---|---|---|---|\n| ${micro.presignUs.toFixed(1)} | ${micro.verifyUs.toFixed(1)} | ${micro.validateUs.toFixed(1)} | ${micro.getSignedUrlUs.toFixed(1)} | ${micro.verifyStringSecretUs.toFixed(1)} |`,
    );

    const seeded = Date.now();
    const seed = buildDirectory();
    await writeDirectory(redis, keysFor(config), seed.entries);
    const specs = buildRequests(seed, SECRET);
    const mix = specs.reduce<Record<string, number>>((acc, s) => ({ ...acc, [s.outcome]: (acc[s.outcome] ?? 0) + 1 }), {});
    console.log(`\nseeded ${seed.entries.length} records (${seed.attachments.length} attachments, ${seed.actors.length} actors) in ${Date.now() - seeded} ms; request mix ${JSON.stringify(mix)}`);

    const baselineUs = await bullmqEmptyJobCpuUs(config.redis);

    const apiPort = await freePort();
    const api = startProcess("api", "api/main.ts", { ...env, PORT: String(apiPort) }, PROFILE_DIR);
    const workers = Array.from({ length: WORKERS }, (_, i) => startProcess(`worker-${i}`, "worker/main.ts", env, PROFILE_DIR));
    processes.push(api, ...workers);
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    await waitForApi(apiUrl, new AbortController().signal, 30_000);
    await sleep(500);
    const rows: Row[] = [];
    await runLoad({ url: apiUrl, connections: 16, specs, durationSeconds: 3 });
    for (const connections of LEVELS) rows.push(await level("queued", apiUrl, connections, specs, processes, redis));
    const issuedTrips = await issuedRoundTrips(apiUrl, specs, processes, redis);

    let soak: { before: ProcessStats[]; after: ProcessStats[]; load: LoadResult } | undefined;
    if (SOAK > 0) {
      // Warm-up at the soak's own load first: V8 grows its young generation to what this load needs.
      await runLoad({ url: apiUrl, connections: 64, specs, amount: SOAK_WARMUP });
      const before = await Promise.all(processes.map((p) => p.stats()));
      const load = await runLoad({ url: apiUrl, connections: 64, specs, amount: SOAK });
      soak = { before, after: await Promise.all(processes.map((p) => p.stats())), load };
    }
    await Promise.all(processes.splice(0).map((p) => p.stop()));

    const refPort = await freePort();
    const reference = startProcess("reference", "scripts/bench/reference.ts", { ...env, PORT: String(refPort) }, PROFILE_DIR);
    processes.push(reference);
    const refUrl = `http://127.0.0.1:${refPort}`;
    await waitForApi(refUrl, new AbortController().signal, 30_000);
    await runLoad({ url: refUrl, connections: 16, specs, durationSeconds: 3 });
    for (const connections of LEVELS) rows.push(await level("reference", refUrl, connections, specs, [reference], redis));

    report(rows, issuedTrips, baselineUs, soak, micro);
  } finally {
    await Promise.all(processes.map((p) => p.stop()));
    redis.disconnect();
    await s3.close();
    rmSync(s3Dir, { recursive: true, force: true });
    await redisServer.stop();
  }
}

async function level(system: string, url: string, connections: number, specs: readonly RequestSpec[], processes: readonly BenchProcess[], redis: RedisClient): Promise<Row> {
  const before = await Promise.all(processes.map((p) => p.stats()));
  const cpuBefore = await redisCpuSeconds(redis);
  const load = await runLoad({ url, connections, specs, durationSeconds: DURATION });
  const cpuAfter = await redisCpuSeconds(redis);
  const after = await Promise.all(processes.map((p) => p.stats()));
  const trips = Object.values(roundTripDelta(before, after)).reduce((a, b) => a + b, 0);
  return { system, connections, load, roundTripsPerRequest: trips / load.requests, redisCpuUsPerRequest: ((cpuAfter - cpuBefore) * 1e6) / load.requests };
}

/** Round trips of issued requests only, by label, at 16 connections (the main table has every level). */
async function issuedRoundTrips(url: string, specs: readonly RequestSpec[], processes: readonly BenchProcess[], redis: RedisClient) {
  const issued = specs.filter((s) => s.outcome === "issued").slice(0, 10_000);
  const before = await Promise.all(processes.map((p) => p.stats()));
  const cpuBefore = await redisCpuSeconds(redis);
  const load = await runLoad({ url, connections: 16, specs: issued, amount: issued.length });
  const cpuAfter = await redisCpuSeconds(redis);
  const after = await Promise.all(processes.map((p) => p.stats()));
  const byLabel = Object.entries(roundTripDelta(before, after))
    .map(([label, n]) => [label, n / load.requests] as const)
    .filter(([, perRequest]) => perRequest >= 0.01)
    .sort((a, b) => b[1] - a[1]);
  return { byLabel, total: byLabel.reduce((a, [, n]) => a + n, 0), cpuUs: ((cpuAfter - cpuBefore) * 1e6) / load.requests, errors: load.errors };
}

function report(
  rows: readonly Row[],
  issued: Awaited<ReturnType<typeof issuedRoundTrips>>,
  baselineUs: number,
  soak: { before: ProcessStats[]; after: ProcessStats[]; load: LoadResult } | undefined,
  micro: Awaited<ReturnType<typeof microbenchmarks>>,
): void {
  console.log("\n## Load (load generator on the same machine)");
  console.log("| system | conns | req/s | p50 ms | p90 ms | p99 ms | errors | Redis trips/req | Redis CPU µs/req | queued ÷ reference |");
  console.log("|---|---|---|---|---|---|---|---|---|---|");
  for (const row of rows) {
    const ref = rows.find((r) => r.system === "reference" && r.connections === row.connections);
    const ratio = row.system === "queued" && ref !== undefined ? (row.load.rps / ref.load.rps).toFixed(2) : "";
    console.log(
      `| ${row.system} | ${row.connections} | ${row.load.rps.toFixed(0)} | ${ms(row.load.p50)} | ${ms(row.load.p90)} | ${ms(row.load.p99)} | ${row.load.errors} | ${row.roundTripsPerRequest.toFixed(2)} | ${row.redisCpuUsPerRequest.toFixed(0)} | ${ratio} |`,
    );
  }
  console.log(`\n## Redis round trips per issued request at 16 connections (${issued.total.toFixed(2)} in all; Redis CPU ${issued.cpuUs.toFixed(0)} µs/request; BullMQ's own add + process of an empty job: ${baselineUs.toFixed(0)} µs)`);
  console.log("| round trip | per request |\n|---|---|");
  for (const [label, n] of issued.byLabel) console.log(`| ${label} | ${n.toFixed(2)} |`);
  if (soak !== undefined) {
    console.log(`\n## Soak: ${soak.load.requests} requests at 64 connections after ${SOAK_WARMUP} to warm up, ${soak.load.errors} errors, ${soak.load.rps.toFixed(0)} req/s`);
    console.log("| process | RSS before | RSS after | growth | heap before | heap after |\n|---|---|---|---|---|---|");
    soak.after.forEach((after, i) => {
      const before = soak.before[i]!;
      const name = i === 0 ? "api" : `worker-${i - 1}`;
      console.log(`| ${name} | ${mb(before.rss)} | ${mb(after.rss)} | ${(((after.rss - before.rss) / before.rss) * 100).toFixed(1)}% | ${mb(before.heapUsed)} | ${mb(after.heapUsed)} |`);
    });
  }
  const at = (system: string, c: number) => rows.find((r) => r.system === system && r.connections === c);
  const q64 = at("queued", 64);
  const r64 = at("reference", 64);
  const q1 = at("queued", 1);
  const checks: Array<[string, boolean | undefined]> = [
    ["ratio ≥ 0.7 at 64 connections", q64 && r64 ? q64.load.rps / r64.load.rps >= 0.7 : undefined],
    ["p50 ≤ 2 ms at 1 connection", q1 ? q1.load.p50 <= 2 : undefined],
    ["presign ≤ 100 µs", micro.presignUs <= 100],
    ["token verify ≤ 50 µs", micro.verifyUs <= 50],
    ["≤ 7 Redis round trips per issued request", issued.total <= 7],
    ["zero errors", rows.every((r) => r.load.errors === 0) && issued.errors === 0 && (soak?.load.errors ?? 0) === 0],
    ["RSS growth ≤ 10% over the soak", soak ? soak.after.every((a, i) => (a.rss - soak.before[i]!.rss) / soak.before[i]!.rss <= 0.1) : undefined],
  ];
  console.log("\n## Targets");
  for (const [name, ok] of checks) console.log(`- ${ok === undefined ? "not measured" : ok ? "met" : "MISSED"}: ${name}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
