/**
 * The directory behind Redis Sentinel: the directory API (versions, tombstones) and the import, by
 * the CLI and over HTTP, through the master Sentinel names; an import cut by a failover (the master
 * killed mid-write) and run again converges on the promoted replica to what an uninterrupted
 * import of the same file writes, and the service then uses the records.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { expect } from "chai";
import { Redis } from "ioredis";
import { putObject } from "../../dev/embedded-s3.js";
import { runScript, runScriptAlone } from "../support/cli.js";
import { attachment, client, department, minimalDirectory, predownloadBody } from "../support/factories.js";
import { capture, until } from "../support/probes.js";
import { startRedisSentinel, type RedisSentinel } from "../support/redis-sentinel.js";
import { deleteKeys, startStack, TEST_BUCKET, type Stack } from "../support/stack.js";

/** How long a change waits for the replica to acknowledge it. */
const WAIT_MS = "2000";

const BYTES = Buffer.from("%PDF-1.4 behind a sentinel\n");
const ADMIN_SCOPES = "directory:read directory:write";
/** Records in the file the failover cuts: enough that writing them takes a while (batches of 200). */
const BIG_FILE_RECORDS = 30_000;

describe("the directory behind Redis Sentinel", function () {
  this.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), "pd-sentinel-directory-"));
  let sentinel: RedisSentinel;
  let stack: Stack;
  const logs = capture();

  before(async () => {
    sentinel = await startRedisSentinel();
    // An import over HTTP must arrive whole within REQUEST_TIMEOUT_MS, like any request, and it
    // arrives only as fast as it is validated: the big file's takes seconds on a loaded machine.
    // A replica WAIT of 2 s, not 250 ms: a loaded machine may take longer to replicate a change, and
    // the tests read the replica right at the answer. It is longer than the API's command timeout
    // (1 s here): the connection that carries WAITs allows for them.
    stack = await startStack({ env: { REDIS_URL: sentinel.url, REDIS_WAIT_REPLICAS: "1", REDIS_WAIT_TIMEOUT_MS: WAIT_MS, REQUEST_TIMEOUT_MS: "60000", LOG_LEVEL: "warn" }, logDestination: logs });
    await putObject(stack.s3.client, TEST_BUCKET, "objects/big-17", BYTES, "application/pdf");
    await stack.importLines(minimalDirectory());
  });
  after(async () => {
    await stack?.close();
    await sentinel?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const call = (method: string, path: string, body?: string, type = "application/json") =>
    fetch(`${stack.api.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${stack.token("client", "admin", { scope: ADMIN_SCOPES })}`, ...(body === undefined ? {} : { "Content-Type": type }) },
      body,
    });
  const cli = (args: readonly string[], stdin = "") => runScript("cli/directory.ts", ["import", ...args], { REDIS_URL: sentinel.url, KEY_PREFIX: stack.keys.prefix }, stdin);
  const ndjson = (lines: ReadonlyArray<Record<string, unknown>>) => lines.map((l) => JSON.stringify(l)).join("\n");

  it("serves the directory API through the Sentinel names: versions, stale writes, tombstones, and the records on the replica", async () => {
    expect((await call("PUT", "/directory/client/cl-1", JSON.stringify({ version: 3 }))).status).to.equal(201);
    expect((await call("PUT", "/directory/client/cl-1", JSON.stringify({ version: 3 }))).status).to.equal(200);
    const stale = await call("PUT", "/directory/client/cl-1", JSON.stringify({ version: 2 }));
    expect(stale.status).to.equal(409);
    expect(await stale.json()).to.deep.include({ code: "409-100", details: [{ key: "version", value: "3" }] });
    expect(await (await call("GET", "/directory/client/cl-1")).json()).to.deep.equal({ kind: "client", id: "cl-1", version: 3, record: { id: "cl-1", enabled: true } });
    expect((await call("DELETE", "/directory/client/cl-1?version=4")).status).to.equal(204);
    expect((await call("GET", "/directory/client/cl-1")).status).to.equal(404);
    // The tombstone keeps a late, older upsert out.
    expect((await call("PUT", "/directory/client/cl-1", JSON.stringify({ version: 3 }))).status).to.equal(409);
    const onReplica = new Redis(sentinel.replica.url);
    try {
      await until("the tombstone on the replica", 10_000, async () => ((await onReplica.get(stack.keys.record("client", "cl-1"))) === "t4" ? true : undefined));
    } finally {
      onReplica.disconnect();
    }
    const events = (await stack.auditEvents()).filter((e) => e.type === "directory" && e.recordId === "cl-1");
    expect(events.map((e) => e.action)).to.deep.equal(["upsert", "delete"]);
  });

  it("answers a directory change or an import once the replica holds it, and says so when the replica does not answer in time", async () => {
    const onReplica = new Redis(sentinel.replica.url);
    try {
      expect((await call("PUT", "/directory/client/cl-w", JSON.stringify({ version: 1 }))).status).to.equal(201);
      // Right at the answer, with no polling: the WAIT made it so.
      expect(await onReplica.get(stack.keys.record("client", "cl-w"))).to.match(/^v1:/);
      expect((await call("DELETE", "/directory/client/cl-w?version=2")).status).to.equal(204);
      expect(await onReplica.get(stack.keys.record("client", "cl-w"))).to.equal("t2");

      // A replica stopped for longer than REDIS_WAIT_TIMEOUT_MS: the change is answered, with a warning.
      sentinel.replica.process.kill("SIGSTOP");
      try {
        expect((await call("PUT", "/directory/client/cl-w", JSON.stringify({ version: 3 }))).status).to.equal(201);
      } finally {
        sentinel.replica.process.kill("SIGCONT");
      }
      expect(logs.lines.some((l) => l.msg === "directory change answered before a replica acknowledged it"), JSON.stringify(logs.lines.map((l) => l.msg))).to.equal(true);

      // An import, over HTTP and by the CLI: on the replica at the answer, or a warning.
      const imported = await call("POST", "/directory/import", ndjson([client("cl-i1", { version: 1 })]), "application/x-ndjson");
      expect(imported.status).to.equal(200);
      expect(await onReplica.get(stack.keys.record("client", "cl-i1"))).to.match(/^v1:/);
      const waitingCli = (stdin: string) => runScript("cli/directory.ts", ["import", "-"], { REDIS_URL: sentinel.url, KEY_PREFIX: stack.keys.prefix, REDIS_WAIT_REPLICAS: "1", REDIS_WAIT_TIMEOUT_MS: WAIT_MS }, stdin);
      const byCli = await waitingCli(ndjson([client("cl-i2", { version: 1 })]));
      expect(byCli.code, byCli.stderr).to.equal(0);
      expect(byCli.stderr).to.not.include("warning");
      expect(await onReplica.get(stack.keys.record("client", "cl-i2"))).to.match(/^v1:/);
      sentinel.replica.process.kill("SIGSTOP");
      try {
        expect((await call("POST", "/directory/import", ndjson([client("cl-i1", { version: 2 })]), "application/x-ndjson")).status).to.equal(200);
        const unacknowledged = await waitingCli(ndjson([client("cl-i2", { version: 2 })]));
        expect(unacknowledged.code, unacknowledged.stderr).to.equal(0);
        expect(unacknowledged.stderr).to.include("warning: the import is written, but not yet acknowledged by 1 replica(s)");
      } finally {
        sentinel.replica.process.kill("SIGCONT");
      }
      expect(logs.lines.some((l) => l.msg === "directory import answered before a replica acknowledged it")).to.equal(true);
    } finally {
      onReplica.disconnect();
    }
  });

  it("imports through the Sentinel names with the CLI and over HTTP, counting stale and unchanged records", async () => {
    const first = await cli(["-"], ndjson([client("cl-2", { version: 5 }), department("d-2")]));
    expect(first.code, first.stderr).to.equal(0);
    expect(first.stdout).to.include("upserted 2 (department 1, client 1), deleted 0, unchanged 0, stale 0");
    const res = await call("POST", "/directory/import", ndjson([client("cl-2", { version: 4 }), client("cl-3", { version: 1 }), department("d-2", { version: 1 })]), "application/x-ndjson");
    expect([res.status, await res.json()]).to.deep.equal([200, { upserted: { client: 1, department: 1 }, deleted: {}, unchanged: 0, stale: 1 }]);
    const again = await cli(["-"], ndjson([client("cl-3", { version: 1 })]));
    expect(again.stdout, again.stderr).to.include("upserted 0, deleted 0, unchanged 1, stale 0");
  });

  it("converges, after a failover cut an import by the CLI and one over HTTP (503-100), to what an uninterrupted import writes, and the service uses the records", async () => {
    const file = join(dir, "big.ndjson");
    writeFileSync(file, bigFile());
    // The CLI under a prefix of its own, over HTTP into the service's directory, at once.
    const cliPrefix = `${stack.keys.prefix}-cli`;
    const reference = `${stack.keys.prefix}-reference`;
    const cliEnv = { REDIS_URL: sentinel.url, KEY_PREFIX: cliPrefix };
    const importOverHttp = () => call("POST", "/directory/import", readFileSync(file, "utf8"), "application/x-ndjson");
    const onMaster = new Redis(sentinel.master.url);
    onMaster.on("error", () => undefined);
    /** Polls (more often than `until`: writes are fast) until `prefix` holds the file's record on line `line`, or `done()`. */
    const untilWritten = async (prefix: string, line: number, done: () => boolean) => {
      while (!done() && (await onMaster.exists(`${prefix}:dir:attachment:big-${line}`)) === 0) await sleep(5);
    };
    let cli: ChildProcess | undefined;
    try {
      // The CLI is stopped once a tenth of the file has landed, the HTTP import then runs until it
      // has written a tenth too, and the master dies under both.
      let cliDone = false;
      const cliCut = runScriptAlone("cli/directory.ts", ["import", file], cliEnv, (child) => (cli = child)).finally(() => (cliDone = true));
      await untilWritten(cliPrefix, BIG_FILE_RECORDS / 10, () => cliDone);
      cli!.kill("SIGSTOP");
      expect(await onMaster.exists(`${cliPrefix}:dir:attachment:big-${BIG_FILE_RECORDS - 1}`), "the CLI wrote the whole file before it was stopped").to.equal(0);
      let httpDone = false;
      const httpCut = importOverHttp().finally(() => (httpDone = true));
      await untilWritten(stack.keys.prefix, BIG_FILE_RECORDS / 10, () => httpDone);
      expect(httpDone, "the import over HTTP ended before a tenth of the file had landed").to.equal(false);
      await sentinel.killMaster();
      cli!.kill("SIGCONT");

      const cliAnswer = await cliCut;
      expect(cliAnswer.code, cliAnswer.stdout).to.equal(1);
      expect(cliAnswer.stderr).to.include("an import is safe to repeat");
      const httpAnswer = await httpCut;
      expect(httpAnswer.status, await httpAnswer.clone().text()).to.equal(503);
      expect(((await httpAnswer.json()) as { code: string }).code).to.equal("503-100");
      expect(httpAnswer.headers.get("Retry-After")).to.equal("1");

      await sentinel.waitForPromotion();
      const cliAgain = await runScript("cli/directory.ts", ["import", file], cliEnv);
      expect(cliAgain.code, cliAgain.stderr).to.equal(0);
      const httpAgain = await until("the import over HTTP on the promoted replica", 30_000, async () => {
        const res = await importOverHttp();
        return res.status === 200 ? res : undefined;
      });
      expect(httpAgain.status).to.equal(200);

      // The same file imported whole, on the same (promoted) server.
      const whole = await runScript("cli/directory.ts", ["import", file], { REDIS_URL: sentinel.url, KEY_PREFIX: reference });
      expect(whole.code, whole.stderr).to.equal(0);
      const promoted = new Redis(sentinel.replica.url);
      try {
        const expected = await recordsUnder(promoted, `${reference}:dir:`);
        expect(expected.size).to.equal(BIG_FILE_RECORDS);
        for (const prefix of [cliPrefix, stack.keys.prefix]) {
          const got = await recordsUnder(promoted, `${prefix}:dir:`);
          const differing = [...expected].filter(([identity, value]) => got.get(identity) !== value).map(([identity]) => identity);
          expect(differing.slice(0, 5), `${prefix}: ${differing.length} records differ`).to.deep.equal([]);
        }
      } finally {
        promoted.disconnect();
      }
    } finally {
      cli?.kill("SIGCONT");
      onMaster.disconnect();
      await deleteKeys(stack.redis, `${cliPrefix}:*`);
      await deleteKeys(stack.redis, `${reference}:*`);
    }

    const answer = await stack.post(predownloadBody({ altId: "big-17" }), { token: stack.token("client", "app-big") });
    const body = (await answer.json()) as { contentUrl: string };
    expect(answer.status, JSON.stringify(body)).to.equal(200);
    const download = await fetch(body.contentUrl);
    expect(Buffer.from(await download.arrayBuffer()).equals(BYTES)).to.equal(true);
    // A record the file deletes with a version stays deleted: the API finds no such attachment.
    expect((await stack.post(predownloadBody({ altId: "big-20" }), { token: stack.token("client", "app-big") })).status).to.equal(404);
  });
});

/**
 * A file of {@link BIG_FILE_RECORDS} records: a client, then attachments, versioned ones (written
 * through the version-checking script) and plain ones in turn; every twentieth a versioned delete,
 * which leaves a tombstone.
 */
function bigFile(): string {
  const lines = [client("app-big", { version: 1 })];
  for (let i = 1; lines.length < BIG_FILE_RECORDS; i++) {
    if (i % 20 === 0) lines.push({ kind: "attachment", altId: `big-${i}`, deleted: true, version: 2 });
    else lines.push(attachment(`big-${i}`, { activity: "a1", ...(i % 2 === 0 ? { version: 1 } : {}) }));
  }
  return `${lines.map((l) => JSON.stringify(l)).join("\n")}\n`;
}

/** Every directory key under `prefix` on one server, by the part after it, with its stored value. */
async function recordsUnder(redis: Redis, prefix: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  let cursor = "0";
  do {
    const [next, batch] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    cursor = next;
    const values = batch.length === 0 ? [] : await redis.mget(batch);
    batch.forEach((key, i) => found.set(key.slice(prefix.length), values[i]!));
  } while (cursor !== "0");
  return found;
}
