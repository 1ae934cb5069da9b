/**
 * The production build: `npm run build` compiles api/, worker/, shared/ and cli/ to JavaScript, and
 * the compiled API, worker and operator CLIs run with plain Node (no tsx) against real Redis and S3.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { expect } from "chai";
import { freePort } from "../../dev/local-redis.js";
import { ROOT, runCompiled, type CliResult } from "../support/cli.js";
import { BODY, DIRECTORY, until } from "../support/probes.js";
import { spawnService, type ServiceProcess } from "../support/service-process.js";
import { startStack, type Stack } from "../support/stack.js";

const SOURCES = ["api", "worker", "shared", "cli"];
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };

function* files(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (entry.isFile()) yield path;
  }
}

/** Runs `node dev/build.mjs ARGS` (what `npm run build` runs), without blocking the test's event loop. */
function build(args: readonly string[]): Promise<CliResult> {
  return runCompiled("dev/build.mjs", args, {});
}

describe("production build", function () {
  this.timeout(180_000);
  // Inside the repository, so that the compiled code finds node_modules and package.json's "type".
  const out = join(ROOT, `.dist-test-${randomBytes(4).toString("hex")}`);
  let stack: Stack | undefined;
  const processes: ServiceProcess[] = [];

  before(() => {
    const run = spawnSync("npm", ["run", "--silent", "build", "--", "--out", out], { cwd: ROOT, encoding: "utf8", env: { PATH: process.env.PATH ?? "" } });
    expect(run.status, run.stdout + run.stderr).to.equal(0);
  });

  afterEach(async () => {
    for (const p of processes.splice(0)) {
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
      await p.exited();
    }
    await stack?.close();
    stack = undefined;
  });

  after(() => rmSync(out, { recursive: true, force: true }));

  it("compiles the API, the worker and the CLIs, with every other file of the sources beside them", () => {
    for (const entry of ["api/main.js", "worker/main.js", "cli/directory.js", "cli/audit.js", "cli/token.js"]) {
      expect(existsSync(join(out, entry)), entry).to.equal(true);
    }
    for (const source of SOURCES) {
      for (const file of files(join(ROOT, source))) {
        const path = relative(ROOT, file);
        const compiled = file.endsWith(".ts") ? path.replace(/\.ts$/, ".js") : path;
        expect(existsSync(join(out, compiled)), `${path} is not in the build`).to.equal(true);
      }
    }
    for (const excluded of ["test", "dev", "bench"]) expect(existsSync(join(out, excluded)), excluded).to.equal(false);
  });

  it("imports only Node's own modules, its own files and production dependencies: tsx is a dev dependency", () => {
    expect(pkg.dependencies).to.not.have.property("tsx");
    expect(pkg.devDependencies).to.have.property("tsx");
    const imported = new Set<string>();
    for (const file of files(out)) {
      if (!file.endsWith(".js")) continue;
      const text = readFileSync(file, "utf8");
      for (const match of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["']([^"']+)["']/g)) {
        const specifier = match[1]!;
        if (specifier.startsWith(".") || specifier.startsWith("node:")) continue;
        imported.add(specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0]!);
      }
    }
    expect(imported.size).to.be.greaterThan(5);
    for (const name of imported) expect(pkg.dependencies, `${name} is imported at run time`).to.have.property(name);
  });

  it("serves a predownload through the compiled API and worker, imported by the compiled directory CLI, then both stop on SIGTERM with exit 0", async () => {
    stack = await startStack({ worker: false });
    const env = { ...stack.env, LOG_LEVEL: "info" };
    const imported = await runCompiled(join(out, "cli/directory.js"), ["import", "-"], env, DIRECTORY.map((line) => JSON.stringify(line)).join("\n"));
    expect(imported.code, imported.stderr).to.equal(0);

    const port = await freePort();
    const api = spawnService(join(out, "api/main.js"), { ...env, PORT: String(port) });
    const worker = spawnService(join(out, "worker/main.js"), env);
    processes.push(api, worker);
    await until("the compiled worker", 30_000, async () => (worker.output().includes("worker started") ? true : undefined));
    const url = `http://127.0.0.1:${port}`;
    await until("the compiled API", 30_000, async () => ((await fetch(`${url}/health/live`)).ok ? true : undefined));

    const token = await runCompiled(join(out, "cli/token.js"), ["--actor", "client", "--sub", "app1"], env);
    expect(token.code, token.stderr).to.equal(0);
    const requestId = `compiled-${Date.now()}`;
    const res = await fetch(`${url}/assets/predownload`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${token.stdout.trim()}`, "X-Request-Id": requestId },
      body: JSON.stringify(BODY),
    });
    const body = (await res.json()) as Record<string, unknown>;
    expect(res.status, JSON.stringify(body)).to.equal(200);
    expect(body.contentUrl).to.be.a("string");

    const exported = await runCompiled(join(out, "cli/audit.js"), ["export"], env);
    expect(exported.code, exported.stderr).to.equal(0);
    const events = exported.stdout.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events.filter((e) => e.requestId === requestId).map((e) => e.outcome)).to.deep.equal(["issued"]);

    api.child.kill("SIGTERM");
    worker.child.kill("SIGTERM");
    expect(await api.exited(), api.output()).to.equal(0);
    expect(await worker.exited(), worker.output()).to.equal(0);
  });

  it("rebuilds only when the output is missing or older than a source", async () => {
    const stamp = join(out, ".build-stamp");
    const built = statSync(stamp).mtimeMs;
    const current = await build(["--out", out, "--if-stale"]);
    expect(current.code, current.stderr).to.equal(0);
    expect(current.stderr).to.equal("");
    expect(statSync(stamp).mtimeMs).to.equal(built);

    const old = new Date("2001-01-01T00:00:00Z");
    utimesSync(stamp, old, old);
    const stale = await build(["--out", out, "--if-stale"]);
    expect(stale.code, stale.stderr).to.equal(0);
    expect(stale.stderr).to.include("building");
    expect(statSync(stamp).mtimeMs).to.be.greaterThan(old.getTime());
    expect(existsSync(join(out, "api/main.js"))).to.equal(true);
  });

  it("does nothing before a command where there is nothing to build from, as in the image", async () => {
    const image = mkdtempSync(join(tmpdir(), "pd-image-"));
    try {
      mkdirSync(join(image, "dev"));
      copyFileSync(join(ROOT, "dev/build.mjs"), join(image, "dev/build.mjs"));
      const run = await runCompiled(join(image, "dev/build.mjs"), ["--if-stale"], {});
      expect(run).to.deep.equal({ code: 0, stdout: "", stderr: "" });
      expect(readdirSync(image)).to.deep.equal(["dev"]);
    } finally {
      rmSync(image, { recursive: true, force: true });
    }
  });
});
