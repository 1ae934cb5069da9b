/**
 * The benchmark runs what production runs: the compiled build (`npm run build`, dist/). Its own
 * process code (the in-process reference, the round-trip counter preloaded into every process) is
 * compiled beside it into dist/bench/, importing the build's modules from there.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** The build the benchmark runs, relative to ROOT. */
export const DIST = "dist";

export const ENTRIES = {
  api: `${DIST}/api/main.js`,
  worker: `${DIST}/worker/main.js`,
  reference: `${DIST}/bench/reference.js`,
} as const;

/** The round-trip counter for a process started from `entry`: compiled beside the build, or through tsx for a TypeScript entry. */
export function preloadFor(entry: string): string[] {
  return entry.endsWith(".ts") ? ["--import", "tsx", "--import", "./bench/instrument.ts"] : ["--import", `./${DIST}/bench/instrument.js`];
}

function run(args: string[], what: string): void {
  const result = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "inherit", "inherit"] });
  if (result.status !== 0) throw new Error(`${what} failed (${result.signal ?? `exit ${result.status}`})`);
}

/** Builds dist/ when it is older than its sources, then compiles the benchmark's process code into dist/bench/. */
export function buildForBench(): void {
  run(["dev/build.mjs", "--if-stale"], "npm run build");
  const tsc = join(dirname(createRequire(join(ROOT, "package.json")).resolve("typescript/package.json")), "bin", "tsc");
  // tsc emits what the entries import too; only the entries themselves are kept, beside the build they import.
  const out = mkdtempSync(join(tmpdir(), "pd-bench-build-"));
  try {
    run([tsc, "-p", "bench/tsconfig.json", "--outDir", out], "compiling bench/");
    mkdirSync(join(ROOT, DIST, "bench"), { recursive: true });
    for (const name of readdirSync(join(out, "bench"))) copyFileSync(join(out, "bench", name), join(ROOT, DIST, "bench", name));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
