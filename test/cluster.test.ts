/**
 * The service on a real Redis Cluster (3 masters, 3 replicas on loopback): the whole path with its
 * jobs spread over shards in several slots, and a master killed under load: requests fail fast
 * during the failover and succeed after it, no URL is issued twice and no audit event is lost.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { expect } from "chai";
import { putObject } from "../scripts/embedded-s3.js";
import { runScript } from "./support/cli.js";
import { activity, attachment, client, customer, department, departmentUser } from "./support/factories.js";
import { startRedisCluster, type RedisCluster } from "./support/redis-cluster.js";
import { startStack, TEST_BUCKET, type Stack } from "./support/stack.js";

const ISSUED = { app: "email", type: "attachment.inbound", altId: "att1" };
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
    const masters = new Set(await Promise.all(withEntries.map((stream) => cluster.masterForKey(stream))));
    expect(masters.size).to.be.at.least(2);
  });

  it("imports a directory file with the CLI, whose records the service then uses", async () => {
    const lines = [client("app9"), attachment("att9", { objectKey: "email/att1/report.pdf", size: BYTES.length })].map((l) => JSON.stringify(l)).join("\n");
    const { code, stdout, stderr } = await runScript("scripts/directory.ts", ["import", "-"], { REDIS_URL: cluster.url, KEY_PREFIX: stack.keys.prefix }, lines);
    expect(code, stderr).to.equal(0);
    expect(stdout).to.include("upserted 2");
    const answer = await post({ ...ISSUED, altId: "att9" }, stack.token("client", "app9"));
    expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
  });

  it("limits an actor's rate across the cluster", async () => {
    const limited = await startStack({ env: { REDIS_URL: cluster.url, QUEUE_SHARDS: "6", RATE_LIMIT_PER_SECOND: "1", RATE_LIMIT_BURST: "2" }, worker: false });
    try {
      const token = limited.token("client", "app1");
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`${limited.api.url}/assets/predownload`, { method: "POST", headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` }, body: "{}" });
        statuses.push(res.status);
      }
      // The burst passes the limiter (and fails validation), the next request is refused.
      expect(statuses).to.deep.equal([400, 400, 429]);
    } finally {
      await limited.close();
    }
  });

  it("fails fast while a master fails over, serves again after, never issues a URL twice and loses no audit event", async () => {
    const victim = await cluster.masterForKey(stack.keys.shards[0]!.auditStream);
    const answers: Answer[] = [];
    let running = true;
    const load = Array.from({ length: 4 }, async () => {
      while (running) {
        answers.push(await post(ISSUED));
        await sleep(5);
      }
    });
    await sleep(300);
    await cluster.killMaster(victim);
    await cluster.waitForFailover(victim, 30_000);
    // Serve until the clients have found the new master: 40 answers in a row without a failure, and
    // fast ones: the promoted master has no replica, so waiting for one is skipped after one miss.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const recent = answers.slice(-40);
      if (recent.length === 40 && recent.every((a) => a.status === 200 && a.ms < 200) && answers.length > 40) break;
      if (Date.now() > deadline) throw new Error(`no recovery; last statuses ${answers.slice(-40).map((a) => a.status).join(",")}`);
      await sleep(200);
    }
    running = false;
    await Promise.all(load);

    const statuses = new Set(answers.map((a) => a.status));
    expect([...statuses].every((s) => s === 200 || s === 503), `statuses seen: ${[...statuses].join(",")}`).to.equal(true);
    // Never a hang: a refusal comes by the 3 s deadline plus the claim and the audit append, each
    // bounded by the 500 ms command timeout.
    for (const failed of answers.filter((a) => a.status === 503)) expect(failed.ms).to.be.below(3000 + 2 * 500 + 500);
    expect(answers.filter((a) => a.status === 503).length, "some requests met the failover").to.be.greaterThan(0);

    const issued = (await stack.auditEvents()).filter((e) => e.outcome === "issued");
    const issuedPerRequest = new Map<string, number>();
    for (const event of issued) issuedPerRequest.set(event.requestId as string, (issuedPerRequest.get(event.requestId as string) ?? 0) + 1);
    expect([...issuedPerRequest.values()].every((n) => n === 1), "one issued event per request").to.equal(true);
    const missing = answers.filter((a) => a.status === 200 && issuedPerRequest.get(a.requestId) !== 1);
    expect(missing.map((a) => a.requestId), "every URL handed out has its issued event").to.deep.equal([]);
  });
});
