/**
 * Where a benchmarked process spent its time: the V8 CPU profiles `--profile DIR` writes
 * (`<DIR>/<process>/*.cpuprofile`), summarized by self time per module (a package, a file of the
 * service, Node's internals, the collector) and per function, as shares of the time the process was
 * busy (its idle time, waiting for work or for a core, is left out).
 *
 *   node --import tsx bench/profile-summary.ts DIR [--top N]
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Microseconds of self time by key, and the profile's total. */
export interface SelfTime {
  readonly totalUs: number;
  readonly byModule: Map<string, number>;
  readonly byFunction: Map<string, number>;
}

/** What a frame belongs to: a package under node_modules, a file of the service, Node itself, or V8's own entries. */
export function moduleOf(url: string, functionName: string): string {
  if (url === "") return functionName.startsWith("(") ? functionName : "(native)";
  if (url.startsWith("node:")) return "node (internals)";
  const path = url.startsWith("file://") ? fileURLToPath(url) : url;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (pkg !== null) return pkg[1]!;
  const own = /\/(?:dist\/)?((?:api|worker|shared|cli|bench)\/.*)$/.exec(path);
  return own === null ? path : own[1]!;
}

export function selfTime(profile: CpuProfile): SelfTime {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const byModule = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let totalUs = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    const frame = byId.get(id)?.callFrame;
    if (frame === undefined) return;
    totalUs += us;
    const module = moduleOf(frame.url, frame.functionName);
    const fn = `${frame.functionName || "(anonymous)"} ${module}${frame.url === "" ? "" : `:${frame.lineNumber + 1}`}`;
    byModule.set(module, (byModule.get(module) ?? 0) + us);
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
  });
  return { totalUs, byModule, byFunction };
}

function merge(into: Map<string, number>, from: Map<string, number>): void {
  for (const [key, us] of from) into.set(key, (into.get(key) ?? 0) + us);
}

function table(title: string, entries: Map<string, number>, busyUs: number, top: number): string {
  const rows = [...entries].filter(([key]) => !key.startsWith("(idle)")).sort((a, b) => b[1] - a[1]).slice(0, top);
  return [`| ${title} | self % of busy |`, "|---|---|", ...rows.map(([key, us]) => `| ${key.replaceAll("|", "\\|")} | ${((us / busyUs) * 100).toFixed(1)} |`)].join("\n");
}

/** Prints, for each process folder under `dir`, its top modules and functions by self time (the main thread's profiles). */
export function summarizeProfiles(dir: string, top = 15): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir).sort()) {
    const folder = join(dir, name);
    // The main thread's profiles (thread id 0); a loader thread's are left out.
    const files = readdirSync(folder).filter((file) => /\.0\.\d+\.cpuprofile$/.test(file));
    if (files.length === 0) continue;
    const all: SelfTime = { totalUs: 0, byModule: new Map(), byFunction: new Map() };
    let totalUs = 0;
    for (const file of files) {
      const one = selfTime(JSON.parse(readFileSync(join(folder, file), "utf8")) as CpuProfile);
      totalUs += one.totalUs;
      merge(all.byModule, one.byModule);
      merge(all.byFunction, one.byFunction);
    }
    const busyUs = totalUs - (all.byModule.get("(idle)") ?? 0);
    console.log(
      `\n## Profile: ${name} (${(totalUs / 1e6).toFixed(1)} s sampled, busy ${((busyUs / totalUs) * 100).toFixed(0)} %)\n${table("module", all.byModule, busyUs, top)}\n\n${table("function", all.byFunction, busyUs, top)}`,
    );
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = process.argv[2];
  const topArg = process.argv.indexOf("--top");
  if (dir === undefined) {
    console.error("usage: node --import tsx bench/profile-summary.ts DIR [--top N]");
    process.exit(2);
  }
  summarizeProfiles(dir, topArg >= 0 ? Number(process.argv[topArg + 1]) : 15);
}
