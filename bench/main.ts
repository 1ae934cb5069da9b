/**
 * `npm run bench [-- --workers N --duration S --rounds N --connections 1,16,64 --soak N --soak-warmup N --cluster --profile DIR --appendfsync always|everysec|no --seal SECONDS --variant NAME=VALUE,… --hops N --put-pairs N --grants PAIRS --verify-entries N --directory-lines N,M]`:
 * builds (`npm run build`, when stale) and runs the compiled service as production does. Starts its
 * own Redis (one server, or with `--cluster` a 3-master, 3-replica Redis Cluster on loopback; with
 * `--appendfsync` one server writing its AOF with that fsync policy), S3 server, seeds a large
 * directory, then starts the queued system (one API process, N worker processes) and the in-process
 * reference side by side and, at each level, alternates short rounds of autocannon load between
 * them (`--rounds` rounds of `--duration` seconds each). Then two fresh queued systems side by
 * side, one sealing its audit trail every `--seal` SECONDS (default 1; 0 skips it), the other not,
 * the same way at the highest level; with `--variant`, two fresh ones, one with those settings (e.g.
 * `WORKER_CONCURRENCY=64`, or none for an A/A check of the method), likewise.
 * Prints medians, the median per-round ratios with their range, and the targets. With `--profile
 * DIR` the processes write CPU profiles into DIR, summarized at the end. While the queued system still
 * runs, the sections below follow, each a module of its own:
 * `--hops N` (default 2000, 0 skips it) times the queue hop alone, one in flight and 64 in flight
 * (with its CPU): BullMQ as benchmarked, BullMQ one job at a time, a one-command list queue (queue-hop.ts).
 * `--put-pairs N` (default 2000, 0 skips it) times N pairs of one directory PUT and one predownload at one connection (directory-put.ts).
 * `--grants PAIRS` (default 2000, 0 for none): the cost of a redeem against an issue in grant mode (bench/grants.ts).
 * `--verify-entries N` (default 200000, 0 for none): offline audit verification speed (bench/offline-verify.ts).
 * `--directory-lines` (default 1000000; 0 skips it) benchmarks the directory import (directory-import.ts).
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadConfig } from "../shared/runtime/config.js";
import { writeDirectory } from "../shared/redis/directory-store.js";
import { keysFor } from "../shared/redis/keys.js";
import { createRedis, type RedisClient } from "../shared/redis/client.js";
import { parseRedisUrl } from "../shared/redis/url.js";
import { startRedisCluster } from "../dev/local-redis-cluster.js";
import { EMBEDDED_S3_CREDENTIALS, startEmbeddedS3 } from "../dev/embedded-s3.js";
import { freePort, spawnRedis } from "../dev/local-redis.js";
import { waitForApi } from "../dev/readiness.js";
import { bullmqEmptyJobCpuUs } from "./baseline.js";
import { directoryPutSection, directoryPutVsPredownload } from "./directory-put.js";
import { queueHopBench, queueHopReport } from "./queue-hop.js";
import { grantsBench, grantsReport } from "./grants.js";
import { offlineVerifyBench, offlineVerifyReport } from "./offline-verify.js";
import { directoryImportBench } from "./directory-import.js";
import { buildForBench, ENTRIES } from "./compiled.js";
import { runLoad, type LoadResult } from "./load.js";
import { microbenchmarks } from "./micro.js";
import { roundTripDelta, startProcess, type BenchProcess, type ProcessStats } from "./processes.js";
import { summarizeProfiles } from "./profile-summary.js";
import { redisCpuSeconds } from "./redis-cpu.js";
import { alternate, type Comparison, type Summary, type System } from "./rounds.js";
import { buildDirectory, buildRequests, type RequestSpec } from "./seed.js";
import type { Spread } from "./stats.js";

const { values: args } = parseArgs({
  options: {
    workers: { type: "string", default: "1" },
    duration: { type: "string", default: "5" },
    rounds: { type: "string", default: "6" },
    connections: { type: "string", default: "1,16,64" },
    soak: { type: "string", default: "200000" },
    "soak-warmup": { type: "string", default: "50000" },
    cluster: { type: "boolean", default: false },
    profile: { type: "string" },
    appendfsync: { type: "string" },
    seal: { type: "string", default: "1" },
    variant: { type: "string" },
    hops: { type: "string", default: "2000" },
    "put-pairs": { type: "string", default: "2000" },
    grants: { type: "string", default: "2000" },
    "verify-entries": { type: "string", default: "200000" },
    "directory-lines": { type: "string", default: "1000000" },
  },
});
const WORKERS = Number(args.workers);
const DURATION = Number(args.duration);
const ROUNDS = Number(args.rounds);
const LEVELS = args.connections.split(",").map(Number);
const SOAK = Number(args.soak);
const SOAK_WARMUP = Number(args["soak-warmup"]);
const CLUSTER = args.cluster;
/** `--profile DIR`: the API, worker and reference processes write CPU profiles into DIR. */
const PROFILE_DIR = args.profile;
/** `--appendfsync POLICY`: the Redis server keeps an AOF (in a temporary folder) with this fsync policy, to measure its cost. */
const APPENDFSYNC = args.appendfsync;
if (APPENDFSYNC !== undefined && (!["always", "everysec", "no"].includes(APPENDFSYNC) || CLUSTER)) {
  console.error("--appendfsync takes always, everysec or no, on one server (not with --cluster)");
  process.exit(2);
}
/** `--seal SECONDS`: the sealed system seals its audit trail this often; 0 runs no sealed system. */
const SEAL_SECONDS = args.seal;
if (!/^\d+$/.test(SEAL_SECONDS)) {
  console.error("--seal takes a whole number of seconds (0: no sealed system)");
  process.exit(2);
}
/** `--grants PAIRS`: issue-then-redeem pairs in grant mode (0: none). */
const GRANT_PAIRS = Number(args.grants);
if (![WORKERS, DURATION, ROUNDS, ...LEVELS].every((n) => Number.isInteger(n) && n > 0)) {
  console.error("--workers, --duration, --rounds and --connections take positive whole numbers");
  process.exit(2);
}
const SEALING = SEAL_SECONDS !== "0";
/** `--variant NAME=VALUE,…`: settings of a second queued system compared with the plain one ("" for none: the same system twice). */
const VARIANT = args.variant === undefined ? undefined : parseVariant(args.variant);

function variantText(): string {
  return Object.entries(VARIANT ?? {}).map(([name, value]) => `${name}=${value}`).join(", ") || "the same settings";
}

function parseVariant(text: string): Record<string, string> {
  const pairs = text === "" ? [] : text.split(",").map((pair) => /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(pair));
  if (pairs.some((pair) => pair === null)) {
    console.error("--variant takes NAME=VALUE pairs separated by commas");
    process.exit(2);
  }
  return Object.fromEntries(pairs.map((pair) => [pair![1]!, pair![2]!]));
}
const BUCKET = "attachments";
const SECRET = randomBytes(32).toString("hex");
/** The highest level: where the throughput targets and the seal comparison are measured. */
const TOP = Math.max(...LEVELS);

const ms = (v: number) => v.toFixed(2);
const mb = (bytes: number) => `${(bytes / 1048576).toFixed(0)} MB`;
const range = (s: Spread, digits: number) => `${s.min.toFixed(digits)}–${s.max.toFixed(digits)}`;

interface Soak {
  readonly before: ProcessStats[];
  readonly after: ProcessStats[];
  readonly load: LoadResult;
}

async function main(): Promise<void> {
  console.log(
    `# Benchmark: ${CLUSTER ? "Redis Cluster (3 masters, 3 replicas)" : "one Redis server"}${APPENDFSYNC === undefined ? "" : ` (AOF, appendfsync ${APPENDFSYNC})`}, compiled build, Node ${process.versions.node}, ${WORKERS} worker process(es), levels ${LEVELS.join("/")}, ${ROUNDS} alternating rounds of ${DURATION} s per system and level${SEALING ? `, sealed against unsealed at ${TOP} (sealing every ${SEAL_SECONDS} s)` : ""}${VARIANT === undefined ? "" : `, variant against plain at ${TOP} (${variantText()})`}, soak ${SOAK}`,
  );
  buildForBench();
  const aofDir = APPENDFSYNC === undefined ? undefined : mkdtempSync(join(tmpdir(), "pd-bench-aof-"));
  const aof = aofDir === undefined ? [] : ["--appendonly", "yes", "--appendfsync", APPENDFSYNC!, "--dir", aofDir];
  const redisServer = CLUSTER ? await startRedisCluster({ persist: false }) : await spawnRedis(aof);
  const s3Dir = mkdtempSync(join(tmpdir(), "pd-bench-s3-"));
  const sealDir = mkdtempSync(join(tmpdir(), "pd-bench-seal-"));
  const s3 = await startEmbeddedS3({ directory: s3Dir, bucket: BUCKET });
  const redis = createRedis(parseRedisUrl(redisServer.url), "worker", { name: "predownload-bench" });
  const processes: BenchProcess[] = [];
  const start = (name: string, entry: string, env: Record<string, string>) => {
    const started = startProcess(name, entry, env, PROFILE_DIR);
    processes.push(started);
    return started;
  };
  const stop = async (stopped: readonly BenchProcess[]) => {
    await Promise.all(stopped.map((p) => p.stop()));
    for (const p of stopped) if (processes.includes(p)) processes.splice(processes.indexOf(p), 1);
  };
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

    const queued = await startQueued("queued", env, start);
    const refPort = await freePort();
    const reference = start("reference", ENTRIES.reference, { ...env, PORT: String(refPort) });
    const referenceSystem: System = { name: "reference", url: `http://127.0.0.1:${refPort}`, processes: [reference] };
    await waitForApi(referenceSystem.url, new AbortController().signal, 30_000);
    for (const system of [queued, referenceSystem]) await warmUp(system, specs);

    const comparisons: Comparison[] = [];
    for (const connections of LEVELS) {
      comparisons.push(await alternate(queued, referenceSystem, { connections, rounds: ROUNDS, durationSeconds: DURATION, specs, redis }));
    }
    await stop([reference]);
    const issuedTrips = await issuedRoundTrips(queued.url, specs, queued.processes, redis);

    /**
     * A queued system with `settings` against a plain one, both started now side by side (each on
     * its own key prefix, directory and audit trail) and warmed alike, alternated at the top level:
     * a system that has run for minutes is not compared with a fresh one.
     */
    const against = async (name: string, plainName: string, prefix: string, settings: Record<string, string>): Promise<Comparison> => {
      const envs = [{ ...env, KEY_PREFIX: prefix, ...settings }, { ...env, KEY_PREFIX: `${prefix}0` }];
      for (const each of envs) await writeDirectory(redis, keysFor(loadConfig(each)), seed.entries);
      const [other, plain] = [await startQueued(name, envs[0]!, start), await startQueued(plainName, envs[1]!, start)];
      try {
        for (const system of [other, plain]) await warmUp(system, specs);
        return await alternate(other, plain, { connections: TOP, rounds: ROUNDS, durationSeconds: DURATION, specs, redis });
      } finally {
        await stop([...other.processes, ...plain.processes]);
      }
    };
    const sealed = SEALING ? await against("sealed", "unsealed", "pds", sealingEnv(sealDir)) : undefined;
    const variant = VARIANT === undefined ? undefined : await against("variant", "plain", "pdv", VARIANT);

    let soak: Soak | undefined;
    if (SOAK > 0) {
      // Warm-up at the soak's own load first: V8 grows its young generation to what this load needs.
      await runLoad({ url: queued.url, connections: 64, specs, amount: SOAK_WARMUP });
      const before = await Promise.all(queued.processes.map((p) => p.stats()));
      const load = await runLoad({ url: queued.url, connections: 64, specs, amount: SOAK });
      soak = { before, after: await Promise.all(queued.processes.map((p) => p.stats())), load };
    }
    // Sections that need the queued system running, printed after the load tables.
    const sections: string[] = [];
    const hops = Number(args.hops);
    if (hops > 0 && !CLUSTER) sections.push(queueHopReport(await queueHopBench({ redisUrl: redisServer.url, hops, concurrency: config.workerConcurrency }), hops));
    const putPairs = Number(args["put-pairs"]);
    if (putPairs > 0) sections.push(directoryPutSection(await directoryPutVsPredownload({ url: queued.url, secret: SECRET, attachments: seed.attachments, specs, pairs: putPairs })));
    if (GRANT_PAIRS > 0) sections.push(grantsReport(await grantsBench({ env, redis, specs, pairs: GRANT_PAIRS })));

    report(comparisons, sealed, variant, issuedTrips, baselineUs, soak, micro);
    for (const section of sections) console.log(section);
    if (Number(args["verify-entries"]) > 0) console.log(offlineVerifyReport(await offlineVerifyBench(Number(args["verify-entries"]))));
    await directoryImportBench({ sizes: args["directory-lines"].split(",").map(Number), service: CLUSTER ? undefined : { url: queued.url, redisUrl: redisServer.url, specs, idleSeconds: DURATION } });
    await stop([...processes]);
    if (PROFILE_DIR !== undefined) summarizeProfiles(PROFILE_DIR);

  } finally {
    await Promise.all(processes.map((p) => p.stop()));
    redis.disconnect();
    await s3.close();
    rmSync(s3Dir, { recursive: true, force: true });
    await redisServer.stop();
    if (aofDir !== undefined) rmSync(aofDir, { recursive: true, force: true });
    rmSync(sealDir, { recursive: true, force: true });
  }
}

/**
 * Load before a system's first round, until V8 has compiled its hot paths: a fixed number of
 * requests, not seconds, so that a system started later (the sealed one) is as warm on a busy
 * machine as on a quiet one.
 */
async function warmUp(system: System, specs: readonly RequestSpec[]): Promise<void> {
  await runLoad({ url: system.url, connections: 16, specs, amount: WARM_UP_REQUESTS });
}
const WARM_UP_REQUESTS = 10_000;

/** One API process and `--workers` worker processes on `env`, ready. */
async function startQueued(name: string, env: Record<string, string>, start: (name: string, entry: string, env: Record<string, string>) => BenchProcess): Promise<System> {
  const port = await freePort();
  const api = start(`${name}-api`, ENTRIES.api, { ...env, PORT: String(port) });
  const workers = Array.from({ length: WORKERS }, (_, i) => start(`${name}-worker-${i}`, ENTRIES.worker, env));
  const url = `http://127.0.0.1:${port}`;
  await waitForApi(url, new AbortController().signal, 30_000);
  return { name, url, processes: [api, ...workers] };
}

/** A fresh Ed25519 sealing key in `dir`, and the settings that have the workers seal every `--seal` seconds with it. */
function sealingEnv(dir: string): Record<string, string> {
  const keyFile = join(dir, "seal.pem");
  writeFileSync(keyFile, generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
  return { AUDIT_SEAL_KEY_FILE: keyFile, AUDIT_SEAL_INTERVAL_SECONDS: SEAL_SECONDS };
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

/** Service CPU per request, with each process's share when there are several. */
function cpu(s: Summary): string {
  const by = Object.entries(s.cpuUsPerRequestBy);
  return by.length < 2 ? s.cpuUsPerRequest.toFixed(0) : `${s.cpuUsPerRequest.toFixed(0)} (${by.map(([name, us]) => `${name.replace(/^[a-z]+-/, "")} ${us.toFixed(0)}`).join(", ")})`;
}

function row(s: Summary, ratio: string): string {
  return `| ${s.system} | ${s.connections} | ${s.rps.median.toFixed(0)} | ${range(s.rps, 0)} | ${ms(s.p50)} | ${ms(s.p90)} | ${ms(s.p99)} | ${s.errors} | ${s.roundTripsPerRequest.toFixed(2)} | ${s.redisCpuUsPerRequest.toFixed(0)} | ${cpu(s)} | ${s.loadCpuUsPerRequest.toFixed(0)} | ${ratio}`;
}

function pairTable(title: string, ratioName: string, c: Comparison): void {
  console.log(`\n## ${title}, ${ROUNDS} alternating rounds of ${DURATION} s at ${c.connections} connections`);
  console.log(`| system | conns | req/s | req/s range | p50 ms | p90 ms | p99 ms | errors | Redis trips/req | Redis CPU µs/req | service CPU µs/req | load generator CPU µs/req | ${ratioName} req/s |`);
  console.log("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
  console.log(`${row(c.a, `${c.throughputRatio.median.toFixed(3)} (${range(c.throughputRatio, 3)})`)} |`);
  console.log(`${row(c.b, "")} |`);
}

function report(
  comparisons: readonly Comparison[],
  sealed: Comparison | undefined,
  variant: Comparison | undefined,
  issued: Awaited<ReturnType<typeof issuedRoundTrips>>,
  baselineUs: number,
  soak: Soak | undefined,
  micro: Awaited<ReturnType<typeof microbenchmarks>>,
): void {
  console.log(`\n## Load: queued and reference alternating, ${ROUNDS} rounds of ${DURATION} s each per level (medians over rounds; ratios are medians of per-round ratios, range in brackets)`);
  console.log("| system | conns | req/s | req/s range | p50 ms | p90 ms | p99 ms | errors | Redis trips/req | Redis CPU µs/req | service CPU µs/req | load generator CPU µs/req | queued ÷ reference req/s | queued ÷ reference p50 |");
  console.log("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
  for (const c of comparisons) {
    console.log(`${row(c.a, `${c.throughputRatio.median.toFixed(2)} (${range(c.throughputRatio, 2)})`)} | ${c.p50Ratio.median.toFixed(2)} (${range(c.p50Ratio, 2)}) |`);
  }
  for (const c of comparisons) console.log(`${row(c.b, "")} | |`);
  if (sealed !== undefined) pairTable(`Sealed audit trail (every ${SEAL_SECONDS} s) against unsealed`, "sealed ÷ unsealed", sealed);
  if (variant !== undefined) pairTable(`Variant (${variantText()}) against the plain queued system`, "variant ÷ plain", variant);
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
  const at = (c: number) => comparisons.find((r) => r.connections === c);
  const top = at(64);
  const one = at(1);
  const errors = [...comparisons, ...(sealed === undefined ? [] : [sealed]), ...(variant === undefined ? [] : [variant])].every((c) => c.a.errors === 0 && c.b.errors === 0);
  const checks: Array<[string, string, boolean | undefined]> = [
    ["queued ÷ reference ≥ 0.85 at 64 connections (median of rounds)", top?.throughputRatio.median.toFixed(2) ?? "", top && top.throughputRatio.median >= 0.85],
    ["queued p50 ≤ 1.6 × the reference's at 1 connection (median of rounds)", one?.p50Ratio.median.toFixed(2) ?? "", one && one.p50Ratio.median <= 1.6],
    ["sealed ÷ unsealed ≥ 0.97 at 64 connections (median of rounds)", sealed?.throughputRatio.median.toFixed(3) ?? "", sealed && sealed.connections === 64 ? sealed.throughputRatio.median >= 0.97 : undefined],
    ["presign ≤ 100 µs", micro.presignUs.toFixed(1), micro.presignUs <= 100],
    ["token verify ≤ 50 µs", micro.verifyUs.toFixed(1), micro.verifyUs <= 50],
    ["≤ 7 Redis round trips per issued request", issued.total.toFixed(2), issued.total <= 7],
    ["zero errors", "", errors && issued.errors === 0 && (soak?.load.errors ?? 0) === 0],
    ["RSS growth ≤ 10% over the soak", "", soak ? soak.after.every((a, i) => (a.rss - soak.before[i]!.rss) / soak.before[i]!.rss <= 0.1) : undefined],
  ];
  console.log("\n## Targets");
  for (const [name, value, ok] of checks) console.log(`- ${ok === undefined ? "not measured" : ok ? "met" : "MISSED"}: ${name}${value === "" ? "" : ` (${value})`}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
