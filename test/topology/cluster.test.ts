/**
 * The service on a real Redis Cluster (3 masters, 3 replicas on loopback): the whole path with its
 * jobs spread over shards in several slots, and a master killed under load: requests fail fast
 * during the failover and succeed after it, no URL is issued twice and no audit event is lost.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { expect } from "chai";
import { putObject } from "../../dev/embedded-s3.js";
import { runScript } from "../support/cli.js";
import { activity, attachment, client, customer, department, departmentUser, predownloadBody } from "../support/factories.js";
import { masterForKey, startRedisCluster, type RedisCluster } from "../support/redis-cluster.js";
import { deleteKeys, startStack, TEST_BUCKET, type Stack } from "../support/stack.js";
import { dataNodes } from "../../shared/redis/client.js";

const ISSUED = predownloadBody();
const BYTES = Buffer.from("%PDF-1.4 clustered\n");
const DIRECTORY = [
  department("d1"),
  department("d2"),
  client("app1"),
  departmentUser("u1"),
  departmentUser("u2", { homeDepartment: "d2" }),
  customer("c1"),
  activity("a1"),
  attachment("att1", { objectKey: "email/att1/report.pdf", size: BYTES.length }),
  attachment("blocked1", { blocked: true }),
];

interface Answer {
  readonly status: number;
  readonly requestId: string;
  readonly ms: number;
  readonly body: Record<string, unknown>;
}

describe("on a Redis Cluster", function () {
  this.timeout(90_000);
  let cluster: RedisCluster;
  let stack: Stack;

  before(async () => {
    cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1, nodeTimeoutMs: 1000 });
    stack = await startStack({ env: { REDIS_URL: cluster.url, QUEUE_SHARDS: "6", REQUEST_TIMEOUT_MS: "3000", REDIS_COMMAND_TIMEOUT_MS: "500" } });
    await putObject(stack.s3.client, TEST_BUCKET, "email/att1/report.pdf", BYTES, "application/pdf");
    await stack.importLines(DIRECTORY);
  });
  after(async () => {
    await stack?.close();
    await cluster?.stop();
  });

  async function post(body: unknown, token: string | undefined = stack.token("client", "app1")): Promise<Answer> {
    const started = Date.now();
    const res = await stack.post(body, token === undefined ? {} : { token });
    const parsed = (await res.json()) as Record<string, unknown>;
    return { status: res.status, requestId: res.headers.get("X-Request-Id")!, ms: Date.now() - started, body: parsed };
  }

  it("is ready, with the directory loaded and the worker's heartbeat seen", async () => {
    const res = await fetch(`${stack.api.url}/health/ready`);
    expect(res.status, await res.clone().text()).to.equal(200);
  });

  it("issues a URL that downloads the stored bytes", async () => {
    const answer = await post(ISSUED);
    expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
    const download = await fetch(answer.body.contentUrl as string);
    expect(download.status).to.equal(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(BYTES)).to.equal(true);
  });

  it("decides every outcome as on one server, and records each request exactly once", async () => {
    const cases: Array<[unknown, string | undefined, number, string]> = [
      [ISSUED, stack.token("client", "app1"), 200, "issued"],
      [{ ...ISSUED, altId: "blocked1" }, stack.token("client", "app1"), 200, "blocked"],
      [ISSUED, stack.token("user", "u2"), 403, "denied"],
      [{ ...ISSUED, altId: "missing" }, stack.token("user", "u1"), 404, "not_found"],
      [ISSUED, stack.token("customer", "nobody"), 401, "unauthenticated"],
      [{ app: "email" }, stack.token("client", "app1"), 400, "invalid"],
    ];
    const answers = await Promise.all(cases.map(([body, token]) => post(body, token)));
    expect(answers.map((a) => a.status)).to.deep.equal(cases.map(([, , status]) => status));
    const events = await stack.auditEvents();
    answers.forEach((answer, i) => {
      expect(events.filter((e) => e.requestId === answer.requestId).map((e) => e.outcome)).to.deep.equal([cases[i]![3]]);
    });
  });

  it("spreads the work over the cluster: the shards' streams live on more than one master", async () => {
    await Promise.all(Array.from({ length: 60 }, () => post(ISSUED)));
    const withEntries: string[] = [];
    for (const stream of stack.keys.auditStreams) if ((await stack.redis.xlen(stream)) > 0) withEntries.push(stream);
    expect(withEntries.length).to.be.at.least(4);
    const masters = new Set(await Promise.all(withEntries.map((stream) => masterForKey(cluster, stream))));
    expect(masters.size).to.be.at.least(2);
  });

  it("imports a directory file with the CLI, whose records the service then uses", async () => {
    const lines = [client("app9"), attachment("att9", { objectKey: "email/att1/report.pdf", size: BYTES.length })].map((l) => JSON.stringify(l)).join("\n");
    const { code, stdout, stderr } = await runScript("cli/directory.ts", ["import", "-"], { REDIS_URL: cluster.url, KEY_PREFIX: stack.keys.prefix }, lines);
    expect(code, stderr).to.equal(0);
    expect(stdout).to.include("upserted 2");
    const answer = await post({ ...ISSUED, altId: "att9" }, stack.token("client", "app9"));
    expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
  });

  it("reads attachments and activities stored as JSON by earlier versions beside compact ones, in two steps across slots", async () => {
    const json = (line: Record<string, unknown>) => {
      const { kind: _kind, ...record } = line;
      return JSON.stringify(record);
    };
    await stack.redis.set(stack.keys.record("activity", "a-json"), json(activity("a-json", { customer: null })));
    await stack.redis.set(stack.keys.record("attachment", "old-json"), `v2:${json(attachment("old-json", { activity: "a-json", name: "report.pdf", contentType: "application/pdf", encodingType: null, charset: null, inline: false, contentId: null, blocked: false }))}`);
    await stack.redis.set(stack.keys.record("attachment", "old-to-compact"), json(attachment("old-to-compact", { activity: "a1", name: "report.pdf", contentType: "application/pdf", encodingType: null, charset: null, inline: false, contentId: null, blocked: false })));
    await stack.importLines([attachment("compact-to-old", { activity: "a-json" })]);
    expect((await stack.redis.get(stack.keys.record("attachment", "compact-to-old")))!.startsWith("\u001e")).to.equal(true);
    for (const altId of ["old-json", "old-to-compact", "compact-to-old"]) {
      const answer = await post({ ...ISSUED, altId });
      expect(answer.status, `${altId}: ${JSON.stringify(answer.body)}`).to.equal(200);
      expect(answer.body).to.include({ altId, fileName: "report.pdf" }).and.to.have.property("contentUrl");
    }
  });

  it("keeps versions, tombstones and --replace on a cluster, through the CLI", async () => {
    // A prefix of its own: a replace deletes whatever its file lacks.
    const prefix = `${stack.keys.prefix}-replace`;
    const run = (lines: ReadonlyArray<Record<string, unknown>>, ...flags: string[]) =>
      runScript("cli/directory.ts", ["import", "-", ...flags], { REDIS_URL: cluster.url, KEY_PREFIX: prefix }, lines.map((l) => JSON.stringify(l)).join("\n"));
    try {
      const first = await run([client("c-a", { version: 2 }), client("c-b"), department("d-x"), attachment("x-1")]);
      expect(first.stdout, first.stderr).to.include("upserted 4 (department 1, client 2, attachment 1), deleted 0, unchanged 0, stale 0");
      const second = await run([client("c-a", { version: 1 }), { kind: "client", id: "c-c", deleted: true, version: 5 }, attachment("x-1")], "--replace");
      expect(second.stdout, second.stderr).to.include("upserted 1 (attachment 1), deleted 3 (department 1, client 2), unchanged 0, stale 1");
      const left = (await Promise.all(dataNodes(stack.redis).map((node) => node.keys(`${prefix}:dir:*`)))).flat().map((k) => k.slice(`${prefix}:dir:`.length));
      expect(left.sort()).to.deep.equal(["attachment:x-1", "client:c-a", "client:c-c"]);
      const late = await run([client("c-c", { version: 4 })]);
      expect(late.stdout, late.stderr).to.include("upserted 0, deleted 0, unchanged 0, stale 1");
    } finally {
      await deleteKeys(stack.redis, `${prefix}:*`);
    }
  });

  it("serves the directory API on a cluster: versions, tombstones and audit events", async () => {
    const token = stack.token("client", "admin", { scope: "directory:read directory:write" });
    const call = (method: string, path: string, body?: unknown) =>
      fetch(`${stack.api.url}${path}`, {
        method,
        headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    expect((await call("PUT", "/directory/client/cl-1", { version: 3 })).status).to.equal(201);
    expect((await call("PUT", "/directory/client/cl-1", { version: 2 })).status).to.equal(409);
    expect(((await (await call("GET", "/directory/client/cl-1")).json()) as { version: number }).version).to.equal(3);
    expect((await call("DELETE", "/directory/client/cl-1?version=4")).status).to.equal(204);
    expect((await call("PUT", "/directory/client/cl-1", { version: 3 })).status).to.equal(409);
    const events = (await stack.auditEvents()).filter((e) => e.type === "directory" && e.recordId === "cl-1");
    expect(events.map((e) => e.action)).to.deep.equal(["upsert", "delete"]);
  });

  it("limits an actor's rate across the cluster", async () => {
    const limited = await startStack({ env: { REDIS_URL: cluster.url, QUEUE_SHARDS: "6", RATE_LIMIT_PER_SECOND: "1", RATE_LIMIT_BURST: "2" }, worker: false });
    try {
      const token = limited.token("client", "app1");
      // Sent at once, so they reach the limiter within the same second however slow the machine.
      const responses = await Promise.all(
        Array.from({ length: 3 }, () => fetch(`${limited.api.url}/assets/predownload`, { method: "POST", headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` }, body: "{}" })),
      );
      // The burst passes the limiter (and fails validation), the next request is refused.
      expect(responses.map((r) => r.status).sort((a, b) => a - b)).to.deep.equal([400, 400, 429]);
    } finally {
      await limited.close();
    }
  });

  it("fails fast while a master fails over, serves again after, never issues a URL twice and loses no audit event", async () => {
    const victim = await masterForKey(cluster, stack.keys.shards[0]!.auditStream);
    const answers: Answer[] = [];
    let running = true;
    const load = Array.from({ length: 4 }, async () => {
      while (running) {
        answers.push(await post(ISSUED));
        await sleep(5);
      }
    });
    await sleep(300);
    const answeredBeforeKill = answers.length;
    await cluster.killMaster(victim);
    await cluster.waitForFailover(victim, 30_000);
    const answeredBeforeFailover = answers.length;
    // Serve until the clients have found the new master: 40 answers in a row since the failover without
    // a failure, and fast ones (their median under the 250 ms replica wait): the promoted master has no
    // replica, so waiting for one is skipped after one miss. A median, as one answer may be slow under load.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const recent = answers.slice(answeredBeforeFailover).slice(-40);
      const medianMs = recent.map((a) => a.ms).sort((a, b) => a - b)[20] ?? Infinity;
      if (recent.length === 40 && recent.every((a) => a.status === 200) && medianMs < 200) break;
      if (Date.now() > deadline) throw new Error(`no recovery; last statuses ${answers.slice(-40).map((a) => a.status).join(",")}`);
      await sleep(200);
    }
    running = false;
    await Promise.all(load);

    const statuses = new Set(answers.map((a) => a.status));
    expect([...statuses].every((s) => s === 200 || s === 503), `statuses seen: ${[...statuses].join(",")}`).to.equal(true);
    // Never a hang: a refusal comes by the 3 s deadline plus the claim and the audit append, each
    // bounded by the 500 ms command timeout (and 2 s for a loaded machine).
    for (const failed of answers.filter((a) => a.status === 503)) expect(failed.ms).to.be.below(3000 + 2 * 500 + 2000);
    // The load ran across the failover, before the kill and after it. A request that met it may still
    // get its URL (a job retried within its deadline), so 503s are allowed, not required.
    expect(answeredBeforeKill, "requests answered before the kill").to.be.greaterThan(0);

    const issued = (await stack.auditEvents()).filter((e) => e.outcome === "issued");
    const issuedPerRequest = new Map<string, number>();
    for (const event of issued) issuedPerRequest.set(event.requestId as string, (issuedPerRequest.get(event.requestId as string) ?? 0) + 1);
    expect([...issuedPerRequest.values()].every((n) => n === 1), "one issued event per request").to.equal(true);
    const missing = answers.filter((a) => a.status === 200 && issuedPerRequest.get(a.requestId) !== 1);
    expect(missing.map((a) => a.requestId), "every URL handed out has its issued event").to.deep.equal([]);
  });
});
