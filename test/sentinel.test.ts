/**
 * The service behind Redis Sentinel: a master, a replica and a sentinel on loopback. Requests are
 * served through the master Sentinel names, and again after Sentinel promotes the replica.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { expect } from "chai";
import { Redis } from "ioredis";
import { freePort, spawnRedis, waitForRedis, type SpawnedRedis } from "../scripts/local-redis.js";
import { activity, attachment, client, department } from "./support/factories.js";
import { startStack, type Stack } from "./support/stack.js";

const BODY = { app: "email", type: "attachment.inbound", altId: "att1" };

describe("behind Redis Sentinel", function () {
  this.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), "pd-sentinel-"));
  let master: SpawnedRedis;
  let replica: SpawnedRedis;
  let sentinel: ChildProcess;
  let stack: Stack;

  before(async () => {
    // Without the delay a master waits 5 s before its replica's first sync.
    master = await spawnRedis(["--repl-diskless-sync-delay", "0", "--dir", dir]);
    const masterPort = new URL(master.url).port;
    // A replica keeps the synced data on disk, in a folder of its own.
    const replicaDir = join(dir, "replica");
    mkdirSync(replicaDir);
    replica = await spawnRedis(["--replicaof", "127.0.0.1", masterPort, "--repl-diskless-sync-delay", "0", "--dir", replicaDir]);
    const replicaClient = new Redis(replica.url);
    for (let i = 0; i < 100 && !(await replicaClient.info("replication")).includes("master_link_status:up"); i++) await sleep(100);
    replicaClient.disconnect();
    const sentinelPort = await freePort();
    const conf = join(dir, "sentinel.conf");
    writeFileSync(
      conf,
      [
        `port ${sentinelPort}`,
        "bind 127.0.0.1",
        `dir ${dir}`,
        `sentinel monitor pdmaster 127.0.0.1 ${masterPort} 1`,
        "sentinel down-after-milliseconds pdmaster 1000",
        "sentinel failover-timeout pdmaster 5000",
        "",
      ].join("\n"),
    );
    sentinel = spawn("redis-server", [conf, "--sentinel"], { stdio: "ignore" });
    await waitForRedis(`redis://127.0.0.1:${sentinelPort}`, 10_000);
    // Sentinel must know the replica before it can promote it.
    const probe = new Redis(sentinelPort, "127.0.0.1");
    for (let i = 0; i < 100; i++) {
      const replicas = (await probe.call("SENTINEL", "REPLICAS", "pdmaster")) as unknown[];
      if (replicas.length > 0) break;
      await sleep(100);
    }
    probe.disconnect();
    stack = await startStack({ env: { REDIS_URL: `redis+sentinel://127.0.0.1:${sentinelPort}/pdmaster`, REDIS_WAIT_REPLICAS: "1", REQUEST_TIMEOUT_MS: "3000" } });
    await stack.importLines([department("d1"), client("app1"), activity("a1"), attachment("att1")]);
  });
  after(async () => {
    await stack?.close();
    sentinel?.kill("SIGKILL");
    await Promise.all([master?.stop(), replica?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves through the master Sentinel names, its decisions acknowledged by the replica", async () => {
    const onMaster = new Redis(master.url);
    const waits = async () => Number(/cmdstat_wait:calls=(\d+)/.exec(await onMaster.info("commandstats"))?.[1] ?? 0);
    const waitsBefore = await waits();
    const res = await stack.post(BODY, { token: stack.token("client", "app1") });
    expect(res.status).to.equal(200);
    // The settlement asked the master to WAIT for the replica before the reply went out.
    expect(await waits()).to.equal(waitsBefore + 1);
    onMaster.disconnect();
    const requestId = res.headers.get("X-Request-Id");
    // The replica has the issued event: it was acknowledged before the URL went out.
    const direct = new Redis(replica.url);
    try {
      const entries = await direct.xrange(stack.keys.auditStream, "-", "+");
      expect(entries.some(([, fields]) => fields[1]!.includes(`"requestId":"${requestId}"`))).to.equal(true);
    } finally {
      direct.disconnect();
    }
  });

  it("shares WAITs among concurrent decisions", async () => {
    const onMaster = new Redis(master.url);
    const waits = async () => Number(/cmdstat_wait:calls=(\d+)/.exec(await onMaster.info("commandstats"))?.[1] ?? 0);
    const waitsBefore = await waits();
    const token = stack.token("client", "app1");
    const statuses = await Promise.all(Array.from({ length: 40 }, async () => (await stack.post(BODY, { token })).status));
    expect(statuses.every((s) => s === 200)).to.equal(true);
    const used = (await waits()) - waitsBefore;
    onMaster.disconnect();
    // Fewer WAITs than decisions: the ones that land while a WAIT is out share the next.
    expect(used).to.be.within(1, 30);
  });

  it("serves again once Sentinel has promoted the replica of a dead master", async () => {
    master.process.kill("SIGKILL");
    const token = stack.token("client", "app1");
    const deadline = Date.now() + 40_000;
    for (;;) {
      const res = await stack.post(BODY, { token }).catch(() => undefined);
      const status = res?.status;
      await res?.body?.cancel();
      if (status === 200) break;
      expect(status === undefined || status === 503, `status ${status}`).to.equal(true);
      if (Date.now() > deadline) throw new Error("no answer from the promoted replica");
      await sleep(200);
    }
    const promoted = new Redis(replica.url);
    expect((await promoted.role())[0]).to.equal("master");
    promoted.disconnect();
  });
});
