/**
 * `npm start` as someone would use it: run the command, paste the curl line it prints into a shell,
 * download through the URL that comes back, then press Ctrl-C. It uses the test run's Redis under its
 * own key prefix and the embedded S3 server on a temporary data folder.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { expect } from "chai";
import { Redis } from "ioredis";
import { DEMO_OBJECTS_DIR, readDemo, recordsOf } from "../../dev/demo-data.js";
import type { Attachment } from "../../shared/domain/directory.js";
import { freePort } from "../support/redis-server.js";
import { deleteKeys } from "../support/stack.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const STARTUP_TIMEOUT_MS = 60_000;

interface Issued {
  altId: string;
  contentUrl?: string;
  blocked: boolean;
}

describe("npm start", function () {
  this.timeout(90_000);

  const prefix = `tstart${randomBytes(4).toString("hex")}`;
  const dataDir = mkdtempSync(join(tmpdir(), "pd-start-"));
  let start: ChildProcess;
  let output = "";
  let stdout = "";
  let baseUrl: string;
  let curlLine: string;
  let attachments: Attachment[];

  before(async () => {
    attachments = recordsOf((await readDemo()).entries, "attachment");
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), KEY_PREFIX: prefix, PD_DATA_DIR: dataDir, LOG_LEVEL: "info" };
    for (const name of ["S3_ENDPOINT", "S3_BUCKET", "JWT_SECRET", "JWT_PUBLIC_KEY_FILE", "JWT_ISSUER", "JWT_AUDIENCE"]) delete env[name];
    // What `npm start` runs, without npm in between to pass on signals.
    start = spawn(process.execPath, ["--import", "tsx", "dev/start.ts"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    start.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
      stdout += chunk.toString("utf8");
    });
    start.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    curlLine = await lineStartingWith("curl ");
  });

  after(async () => {
    // Ctrl-C first even when a test failed: a SIGKILL would leave the children it started running.
    if (start !== undefined && isRunning(start)) {
      start.kill("SIGINT");
      await Promise.race([new Promise((resolve) => start.once("exit", resolve)), sleep(20_000)]);
      if (isRunning(start)) start.kill("SIGKILL");
    }
    const redis = new Redis(process.env.REDIS_URL!);
    await deleteKeys(redis, `${prefix}:*`);
    redis.disconnect();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const isRunning = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

  /** Resolves with the first output line that starts with `prefix`; rejects with the output so far if none comes. */
  function lineStartingWith(prefix: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const find = () => output.split("\n").find((line) => line.startsWith(prefix));
      const timer = setTimeout(() => done(new Error(`no line starting with "${prefix}" within ${STARTUP_TIMEOUT_MS} ms`)), STARTUP_TIMEOUT_MS);
      const onData = () => {
        const line = find();
        if (line !== undefined) done(undefined, line);
      };
      const onExit = (code: number | null) => done(new Error(`npm start exited (code ${code}) before printing "${prefix}…"`));
      function done(error: Error | undefined, line?: string) {
        clearTimeout(timer);
        start.stdout!.off("data", onData);
        start.off("exit", onExit);
        if (error === undefined) resolve(line!);
        else reject(new Error(`${error.message}\n--- output ---\n${output}`));
      }
      start.stdout!.on("data", onData);
      start.once("exit", onExit);
      onData();
    });
  }

  /** A demo token printed for the actor, e.g. `tokenFor("client")`. */
  function tokenFor(kind: "user" | "customer" | "client"): string {
    const match = new RegExp(`^ +${kind} \\S+.* (eyJ\\S+)$`, "m").exec(output);
    expect(match, `a ${kind} token in\n${output}`).to.not.equal(null);
    return match![1]!;
  }

  async function predownload(token: string, attachment: Attachment): Promise<Issued> {
    const res = await fetch(`${baseUrl}/assets/predownload`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ app: attachment.app, type: attachment.type, altId: attachment.altId }),
    });
    expect(res.status).to.equal(200);
    return (await res.json()) as Issued;
  }

  it("prints a curl command that, pasted into a shell, gets a URL serving the demo file's bytes", async () => {
    const { stdout } = await promisify(execFile)("sh", ["-c", curlLine], { encoding: "utf8" });
    // Only a 200 body carries contentUrl; error bodies carry a code instead.
    const issued = JSON.parse(stdout) as Issued;
    expect(issued.contentUrl, stdout).to.be.a("string");

    const attachment = attachments.find((a) => a.altId === issued.altId)!;
    const download = await fetch(issued.contentUrl!);
    expect(download.status).to.equal(200);
    const expected = await readFile(join(DEMO_OBJECTS_DIR, attachment.objectKey));
    expect(Buffer.from(await download.arrayBuffer()).equals(expected)).to.equal(true);
  });

  it("prints the health URLs of the API and the worker, both ready", async () => {
    const line = /^ *Health +(\S+), worker (\S+);/m.exec(output);
    expect(line, output).to.not.equal(null);
    for (const url of [line![1]!, line![2]!]) {
      const res = await fetch(url);
      expect(res.status, `${url}: ${await res.clone().text()}`).to.equal(200);
      expect(((await res.json()) as { status: string }).status).to.equal("ready");
    }
  });

  it("prints a token for every actor kind, and loads a blocked attachment and a non-ASCII file name", async () => {
    for (const kind of ["user", "customer"] as const) tokenFor(kind);
    const client = tokenFor("client");

    const blocked = attachments.find((a) => a.blocked)!;
    const refused = await predownload(client, blocked);
    expect(refused.blocked).to.equal(true);
    expect(refused).to.not.have.property("contentUrl");

    const nonAscii = attachments.find((a) => /[^\x20-\x7e]/.test(a.fileName))!;
    const issued = await predownload(client, nonAscii);
    const download = await fetch(issued.contentUrl!);
    const encodedName = /filename\*=UTF-8''([^;]+)/i.exec(download.headers.get("content-disposition") ?? "")?.[1];
    expect(decodeURIComponent(encodedName ?? "")).to.equal(nonAscii.fileName);
    expect(Buffer.from(await download.arrayBuffer()).equals(await readFile(join(DEMO_OBJECTS_DIR, nonAscii.objectKey)))).to.equal(true);
  });

  it("writes the API's and the worker's log lines as JSON when its output is not a terminal", () => {
    const logLines = stdout.split("\n").filter((line) => /^[[{]/.test(line));
    const parsed = logLines.map((line) => JSON.parse(line) as { name?: string; level?: string; msg?: string });
    expect(parsed.map((l) => l.name)).to.include.members(["api", "worker"]);
    expect(parsed.every((l) => typeof l.level === "string" && typeof l.msg === "string"), stdout).to.equal(true);
  });

  it("stops everything it started and exits 0 on Ctrl-C", async () => {
    const s3Url = new URL((await predownload(tokenFor("client"), attachments.find((a) => !a.blocked)!)).contentUrl!).origin;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      start.once("exit", (code, signal) => resolve({ code, signal })),
    );
    start.kill("SIGINT");
    expect(await exited, output).to.deep.equal({ code: 0, signal: null });
    for (const url of [baseUrl, s3Url]) {
      const error = await fetch(url).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(error, `${url} still answers`).to.be.instanceOf(Error);
    }
    // BullMQ names its connections after the key prefix: none left means the worker and the queue are gone.
    const redis = new Redis(process.env.REDIS_URL!);
    const clients = (await redis.client("LIST")) as string;
    redis.disconnect();
    expect(clients).to.not.include(`name=${prefix}:`);
  });
});

describe("npm start with a REDIS_URL nothing answers at", function () {
  this.timeout(30_000);

  it("exits 1 naming where it looked, without the password, and starts nothing", async () => {
    for (const url of ["redis://:hunter2@127.0.0.1:1", "redis+cluster://:hunter2@127.0.0.1:1,127.0.0.1:2"]) {
      const env: NodeJS.ProcessEnv = { ...process.env, REDIS_URL: url, PORT: "0", LOG_LEVEL: "warn" };
      const child = spawn(process.execPath, ["--import", "tsx", "dev/start.ts"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
      let output = "";
      child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
      child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
      const [code] = (await once(child, "exit")) as [number | null];
      expect(code, output).to.equal(1);
      expect(output).to.match(/npm start: cannot reach Redis (Cluster )?at 127\.0\.0\.1:1/);
      expect(output).to.not.include("hunter2");
      expect(output).to.not.include("curl ");
    }
  });
});
