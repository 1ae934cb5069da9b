#!/usr/bin/env node
/**
 * `npm run build`: compiles the production code (api/, worker/, shared/, cli/) with
 * tsconfig.build.json into dist/ and copies beside it every other file those folders hold (Lua
 * scripts, for instance), which the code reads at run time relative to itself.
 *
 *   node dev/build.mjs [--out DIR] [--if-stale]
 *
 * `--if-stale` builds only when DIR is missing or older than a source (what `npm run api` and the
 * other production commands run first). Where there is nothing to build from (an image holds
 * dist/ only), it does nothing. Plain JavaScript: it runs where tsx is not installed.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SOURCES = ["api", "worker", "shared", "cli"];
const CONFIGS = ["tsconfig.json", "tsconfig.build.json", "package.json"];
/** Written last: its time is the build's. */
const STAMP = ".build-stamp";

const args = process.argv.slice(2);
const outIndex = args.indexOf("--out");
const out = resolve(ROOT, outIndex >= 0 ? (args[outIndex + 1] ?? usage()) : "dist");
const ifStale = args.includes("--if-stale");

function usage() {
  console.error("usage: node dev/build.mjs [--out DIR] [--if-stale]");
  process.exit(2);
}

/** Every file under `dir`, recursively. */
function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (entry.isFile()) yield path;
  }
}

function newestSource() {
  let newest = 0;
  for (const config of CONFIGS) if (existsSync(join(ROOT, config))) newest = Math.max(newest, statSync(join(ROOT, config)).mtimeMs);
  for (const source of SOURCES) {
    for (const file of files(join(ROOT, source))) newest = Math.max(newest, statSync(file).mtimeMs);
  }
  return newest;
}

if (ifStale) {
  if (!SOURCES.every((source) => existsSync(join(ROOT, source))) || !existsSync(join(ROOT, "tsconfig.build.json"))) process.exit(0);
  const stamp = join(out, STAMP);
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= newestSource()) process.exit(0);
  console.error(`building ${relative(ROOT, out) || "."}/ (missing or older than its sources)`);
}

let tsc;
try {
  tsc = join(dirname(createRequire(join(ROOT, "package.json")).resolve("typescript/package.json")), "bin", "tsc");
} catch {
  console.error("cannot build: the TypeScript compiler is not installed (it is a dev dependency: npm ci)");
  process.exit(1);
}
rmSync(out, { recursive: true, force: true });
const compiled = spawnSync(process.execPath, [tsc, "-p", join(ROOT, "tsconfig.build.json"), "--outDir", out], { cwd: ROOT, stdio: ["ignore", "inherit", "inherit"] });
if (compiled.status !== 0) {
  console.error("build failed: tsc reported errors");
  process.exit(1);
}
for (const source of SOURCES) {
  for (const file of files(join(ROOT, source))) {
    if (file.endsWith(".ts")) continue;
    const target = join(out, relative(ROOT, file));
    mkdirSync(dirname(target), { recursive: true });
    cpSync(file, target);
  }
}
writeFileSync(join(out, STAMP), `${new Date().toISOString()}\n`);
