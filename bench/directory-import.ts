/**
 * The directory import beside its anchor, as part of `npm run bench` (`--directory-lines
 * 1000000,5000000`; `0` skips it). For each size it writes an NDJSON file of attachments (about 400
 * bytes a line, no versions) and the same keys and the values the import stores as Redis protocol; loads the protocol into a fresh
 * Redis with `redis-cli --pipe` (one SET each), then runs the compiled CLI as `npm run directory`
 * runs it (node options from package.json, `dist/cli/directory.js`, built first) on the file into
 * another fresh Redis. It reports time, rate and their ratio, the import's peak RSS (from
 * /usr/bin/time), Redis's memory per attachment, and the largest Redis stall during the import: the
 * slowest PING of a probe that sends one every few milliseconds, and the slowest command by Redis's
 * own LATENCY monitor. With a running service, it then imports the first size into the service's
 * Redis (under a key prefix of its own) while the service is driven at 16 connections, against the
 * same load with Redis idle: p99 and errors side by side.
 */
import { spawn, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { once } from "node:events";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { spawnRedis } from "../dev/local-redis.js";
import { encodeRecord } from "../shared/domain/directory-codec.js";
import { runLoad, type LoadResult } from "./load.js";
import type { RequestSpec } from "./seed.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const PREFIX = "pd";
/** How often the stall probe sends a PING. */
const PROBE_EVERY_MS = 5;
/** Commands slower than this are logged by Redis's LATENCY monitor. */
const LATENCY_THRESHOLD_MS = 1;

export interface DirectoryImportBenchOptions {
  readonly sizes: readonly number[];
  /** The running service, to measure its latency idle and during an import into its Redis. */
  readonly service?: { readonly url: string; readonly redisUrl: string; readonly specs: readonly RequestSpec[]; readonly idleSeconds: number };
}

interface Loaded {
  readonly seconds: number;
  readonly bytesPerRecord: number;
  readonly stall: Stall;
}

interface Imported extends Loaded {
  readonly rssMb: number;
}

interface Stall {
  /** Slowest PING round trip seen by the probe. */
  readonly pingMs: number;
  /** Slowest event Redis's LATENCY monitor recorded (0: none over the threshold), and its name. */
  readonly serverMs: number;
  readonly event: string;
}

function attachmentLine(i: number): { key: string; line: string; stored: string } {
  const altId = randomUUID();
  const record = {
    altId,
    id: String(100000 + i),
    activity: `a${i % 5000}`,
    app: "email",
    type: "attachment.inbound",
    fileName: `report-${i}.pdf`,
    name: `report-${i}.pdf`,
    contentType: "application/pdf",
    size: 17245 + i,
    objectKey: `email/${100000 + i}/report-${i}.pdf`,
    encodingType: "base64",
    charset: "utf-8",
    inline: false,
    contentId: null,
    blocked: false,
    created: "2026-11-01T10:00:00.000Z",
  };
  const json = JSON.stringify(record);
  return { key: `${PREFIX}:dir:attachment:${altId}`, line: `{"kind":"attachment",${json.slice(1)}`, stored: encodeRecord("attachment", record) };
}

function resp(parts: readonly string[]): string {
  return `*${parts.length}\r\n${parts.map((p) => `$${Buffer.byteLength(p)}\r\n${p}\r\n`).join("")}`;
}

async function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, "drain");
}

async function makeFiles(dir: string, lines: number): Promise<{ ndjson: string; proto: string }> {
  const ndjson = join(dir, `directory-${lines}.ndjson`);
  const proto = join(dir, `directory-${lines}.resp`);
  const a = createWriteStream(ndjson);
  const b = createWriteStream(proto);
  for (let i = 0; i < lines; i++) {
    const { key, line, stored } = attachmentLine(i);
    await write(a, `${line}\n`);
    await write(b, resp(["SET", key, stored]));
  }
  await Promise.all([new Promise((r) => a.end(r)), new Promise((r) => b.end(r))]);
  return { ndjson, proto };
}

function run(command: string, argv: readonly string[], env: Record<string, string>, stdinFile?: string): Promise<{ code: number; stdout: string; stderr: string; seconds: number }> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, argv, { cwd: ROOT, env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code: code ?? 1, stdout, stderr, seconds: Number(process.hrtime.bigint() - started) / 1e9 }));
    if (stdinFile === undefined) child.stdin.end();
    else createReadStream(stdinFile).pipe(child.stdin);
  });
}

async function usedMemory(redis: Redis): Promise<number> {
  return Number(/used_memory:(\d+)/.exec(await redis.info("memory"))![1]);
}

/** The node options `npm run directory` gives the compiled CLI (package.json), and its entry point. */
function directoryCommand(): string[] {
  const scripts = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
  const [node, ...args] = scripts.directory!.split(" ");
  if (node !== "node" || args.at(-1) !== "dist/cli/directory.js") throw new Error(`unexpected "directory" script: ${scripts.directory}`);
  return args;
}

/** Watches a Redis while `during` runs: a PING every few milliseconds on a connection of its own, and the LATENCY monitor. */
async function watchStalls<T>(url: string, during: () => Promise<T>): Promise<{ result: T; stall: Stall }> {
  const probe = new Redis(url, { enableAutoPipelining: false });
  await probe.config("SET", "latency-monitor-threshold", String(LATENCY_THRESHOLD_MS));
  await probe.latency("RESET");
  let pingMs = 0;
  let stop = false;
  const probing = (async () => {
    while (!stop) {
      const sent = performance.now();
      await probe.ping();
      pingMs = Math.max(pingMs, performance.now() - sent);
      await new Promise((resolve) => setTimeout(resolve, PROBE_EVERY_MS));
    }
  })();
  try {
    const result = await during();
    stop = true;
    await probing;
    const latest = (await probe.latency("LATEST")) as Array<[string, number, number, number]>;
    const worst = latest.reduce<[string, number]>((max, [event, , , ms]) => (Number(ms) > max[1] ? [event, Number(ms)] : max), ["", 0]);
    return { result, stall: { pingMs, serverMs: worst[1], event: worst[0] } };
  } finally {
    stop = true;
    await probing.catch(() => undefined);
    await probe.config("SET", "latency-monitor-threshold", "0").catch(() => undefined);
    probe.disconnect();
  }
}

async function importInto(url: string, keyPrefix: string, file: string): Promise<{ seconds: number; rssMb: number; stall: Stall }> {
  const { result, stall } = await watchStalls(url, () =>
    run("/usr/bin/time", ["-f", "maxrss_kb=%M", process.execPath, ...directoryCommand(), "import", file], { REDIS_URL: url, KEY_PREFIX: keyPrefix }),
  );
  if (result.code !== 0) throw new Error(`import failed: ${result.stderr}`);
  return { seconds: result.seconds, rssMb: Number(/maxrss_kb=(\d+)/.exec(result.stderr)![1]) / 1024, stall };
}

async function pipeLoad(proto: string, lines: number): Promise<Loaded> {
  const anchor = await spawnRedis();
  const redis = new Redis(anchor.url);
  try {
    const base = await usedMemory(redis);
    const { result: piped, stall } = await watchStalls(anchor.url, () => run("redis-cli", ["-p", new URL(anchor.url).port, "--pipe"], {}, proto));
    if (piped.code !== 0) throw new Error(`redis-cli --pipe failed: ${piped.stderr}`);
    return { seconds: piped.seconds, bytesPerRecord: ((await usedMemory(redis)) - base) / lines, stall };
  } finally {
    redis.disconnect();
    await anchor.stop();
  }
}

async function cliImport(ndjson: string, lines: number): Promise<Imported> {
  const target = await spawnRedis();
  const redis = new Redis(target.url);
  try {
    const base = await usedMemory(redis);
    const imported = await importInto(target.url, PREFIX, ndjson);
    return { ...imported, bytesPerRecord: ((await usedMemory(redis)) - base) / lines };
  } finally {
    redis.disconnect();
    await target.stop();
  }
}

/** The service's load at 16 connections while `file` is imported into its Redis (under a prefix of its own, deleted after). */
async function loadDuringImport(service: NonNullable<DirectoryImportBenchOptions["service"]>, file: string): Promise<{ load: LoadResult; seconds: number; stall: Stall }> {
  const prefix = "pd-bench-import";
  const controller = new AbortController();
  const loading = runLoad({ url: service.url, connections: 16, specs: service.specs, durationSeconds: 3600, signal: controller.signal });
  try {
    const imported = await importInto(service.redisUrl, prefix, file);
    controller.abort();
    return { load: await loading, seconds: imported.seconds, stall: imported.stall };
  } finally {
    controller.abort();
    await loading.catch(() => undefined);
    await deleteKeys(service.redisUrl, `${prefix}:*`);
  }
}

async function deleteKeys(url: string, pattern: string): Promise<void> {
  const redis = new Redis(url);
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 10_000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}

const ms = (v: number) => v.toFixed(1);
const stalled = (stall: Stall) => `${ms(stall.serverMs)} ms${stall.event === "" ? "" : ` (${stall.event})`} / ${ms(stall.pingMs)} ms`;

/** Runs the directory import's benchmark and prints its tables. */
export async function directoryImportBench(options: DirectoryImportBenchOptions): Promise<void> {
  const sizes = options.sizes.filter((n) => n > 0);
  if (sizes.length === 0) return;
  const build = spawnSync(process.execPath, ["dev/build.mjs"], { cwd: ROOT, stdio: "inherit" });
  if (build.status !== 0) throw new Error("npm run build failed");
  const dir = mkdtempSync(join(tmpdir(), "pd-bench-import-"));
  const rows: string[] = [];
  let service: { idle: LoadResult; during: LoadResult; seconds: number; stall: Stall } | undefined;
  try {
    for (const lines of sizes) {
      const { ndjson, proto } = await makeFiles(dir, lines);
      const piped = await pipeLoad(proto, lines);
      rmSync(proto);
      const imported = await cliImport(ndjson, lines);
      const pipeRate = lines / piped.seconds;
      const importRate = lines / imported.seconds;
      rows.push(
        `| ${lines} | redis-cli --pipe | ${piped.seconds.toFixed(2)} s | ${Math.round(pipeRate)}/s | | | ${Math.round(piped.bytesPerRecord)} B | ${stalled(piped.stall)} |`,
        `| ${lines} | directory import | ${imported.seconds.toFixed(2)} s | ${Math.round(importRate)}/s | **${(importRate / pipeRate).toFixed(2)}** | ${imported.rssMb.toFixed(0)} MB | ${Math.round(imported.bytesPerRecord)} B | ${stalled(imported.stall)} |`,
      );
      if (options.service !== undefined && service === undefined) {
        const idle = await runLoad({ url: options.service.url, connections: 16, specs: options.service.specs, durationSeconds: options.service.idleSeconds });
        const during = await loadDuringImport(options.service, ndjson);
        service = { idle, during: during.load, seconds: during.seconds, stall: during.stall };
      }
      rmSync(ndjson);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log("\n## Directory import (compiled CLI) against redis-cli --pipe, each into a fresh Redis");
  console.log("| lines | loader | time | rate | ÷ pipe | peak RSS | Redis memory per attachment | largest Redis stall (LATENCY monitor / PING probe) |");
  console.log("|---|---|---|---|---|---|---|---|");
  for (const row of rows) console.log(row);
  if (service !== undefined) {
    console.log(`\n## The service at 16 connections, Redis idle and during an import of ${sizes[0]} lines into it (${service.seconds.toFixed(1)} s)`);
    console.log("| Redis | req/s | p50 ms | p99 ms | errors |\n|---|---|---|---|---|");
    for (const [name, load] of [["idle", service.idle], ["importing", service.during]] as const) {
      console.log(`| ${name} | ${load.rps.toFixed(0)} | ${load.p50.toFixed(2)} | ${load.p99.toFixed(2)} | ${load.errors} |`);
    }
    console.log(`p99 during ÷ idle: ${(service.during.p99 / service.idle.p99).toFixed(2)} (target <= 3); largest Redis stall meanwhile (LATENCY / PING probe) ${stalled(service.stall)}`);
  }
  console.log("Targets: import >= 0.25 x redis-cli --pipe; peak RSS <= 300 MB and the same at every size; no Redis stall over 50 ms; p99 during an import <= 3 x idle, zero errors.");
}
