/**
 * Staying right when Redis misbehaves: a failover behind one address, a read-only replica, a full
 * Redis, a Redis that lost its data, a slow one, and a fleet that disagrees on its shard count.
 * Each case runs the service against `redis-server` processes of its own. No mocks.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { expect } from "chai";
import { Redis } from "ioredis";
import { startWorker } from "../../worker/worker.js";
import { createLogger } from "../../shared/runtime/log.js";
import { ownRedis, type OwnRedis } from "../support/own-redis.js";
import { BODY, capture, DIRECTORY, expectUnavailable, readiness, timedPost, until, type Answer } from "../support/probes.js";
import { startStack, type Stack } from "../support/stack.js";
import { tcpProxy, type TcpProxy } from "../support/tcp-proxy.js";

const portOf = (url: string) => Number(new URL(url).port);

/** A log destination that keeps every line, parsed. */
/** Sends requests one after another from `parallel` callers until stopped; every answer is kept. */
function load(stack: Stack, parallel: number): { answers: Array<Answer & { at: number }>; stop(): Promise<void> } {
  const answers: Array<Answer & { at: number }> = [];
  let running = true;
  const callers = Array.from({ length: parallel }, async () => {
    while (running) {
      const answer = await timedPost(stack).catch(() => undefined);
      if (answer !== undefined) answers.push({ ...answer, at: Date.now() });
      else await sleep(20);
    }
  });
  return {
    answers,
    async stop() {
      running = false;
      await Promise.all(callers);
    },
  };
}

async function replicaOf(replica: OwnRedis, master: OwnRedis): Promise<void> {
  const client = new Redis(replica.url);
  try {
    await client.replicaof("127.0.0.1", portOf(master.url));
    await until("the replica in sync", 10_000, async () => ((await client.info("replication")).includes("master_link_status:up") ? true : undefined));
  } finally {
    client.disconnect();
  }
}

async function on<T>(server: OwnRedis, action: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis(server.url);
  try {
    return await action(client);
  } finally {
    client.disconnect();
  }
}

describe("when Redis misbehaves", function () {
  this.timeout(60_000);
  const servers: OwnRedis[] = [];
  let proxy: TcpProxy | undefined;
  let stack: Stack | undefined;
  afterEach(async () => {
    await stack?.close().catch(() => undefined);
    await proxy?.close();
    await Promise.all(servers.map((s) => s.stop()));
    servers.length = 0;
    stack = undefined;
    proxy = undefined;
  });
  const server = async (options: Parameters<typeof ownRedis>[0] = {}) => {
    const s = await ownRedis(options);
    servers.push(s);
    return s;
  };

  it("serves again within 10 s of a failover behind one address, without restarts", async () => {
    const [first, second] = [await server(), await server()];
    await replicaOf(second, first);
    proxy = await tcpProxy(portOf(first.url));
    stack = await startStack({ env: { REDIS_URL: proxy.url, REQUEST_TIMEOUT_MS: "2000" } });
    await stack.importLines(DIRECTORY);
    await until("ready", 10_000, async () => ((await readiness(stack!.api.url)).status === 200 ? true : undefined));
    await until("the directory on the replica", 5000, () => on(second, async (c) => ((await c.exists(stack!.keys.directoryImported)) === 1 ? true : undefined)));

    const traffic = load(stack, 4);
    await sleep(500);
    // Promote the replica, demote the old master, move the address: open connections stay where they are.
    await on(second, (c) => c.replicaof("NO", "ONE"));
    await on(first, (c) => c.replicaof("127.0.0.1", portOf(second.url)));
    proxy.moveTo(portOf(second.url));
    const failedOver = Date.now();

    const back = await until("five URLs in a row after the failover", 10_000, async () => {
      const after = traffic.answers.filter((a) => a.at > failedOver + 100);
      const lastFive = after.slice(-5);
      return lastFive.length === 5 && lastFive.every((a) => a.status === 200) ? Date.now() - failedOver : undefined;
    });
    await traffic.stop();
    expect(back).to.be.below(10_000);
    const statuses = new Set(traffic.answers.map((a) => a.status));
    expect([...statuses].filter((s) => s !== 200 && s !== 503), "only URLs and 503s").to.deep.equal([]);
    const ready = await until("ready after the failover", 5000, async () => {
      const r = await readiness(stack!.api.url);
      return r.status === 200 ? r : undefined;
    });
    expect(ready.checks).to.include({ redis: "ok" });
  });

  it("names a read-only replica in readiness, answers 503, and neither floods the log nor spins", async () => {
    const [master, replica] = [await server(), await server()];
    await replicaOf(replica, master);
    const logs = capture();
    stack = await startStack({ env: { REDIS_URL: replica.url, LOG_LEVEL: "warn", REQUEST_TIMEOUT_MS: "1000" }, logDestination: logs });

    const api = await until("the API sees the replica", 5000, async () => {
      const r = await readiness(stack!.api.url);
      return r.checks.redis === "replica" ? r : undefined;
    });
    expect(api.status).to.equal(503);
    const worker = await readiness(stack.worker!.http.url);
    expect(worker.status).to.equal(503);
    expect(worker.checks.redis).to.equal("replica");
    for (let i = 0; i < 3; i++) expectUnavailable(await timedPost(stack), 1500);

    // Settled in: now count what two seconds cost.
    await sleep(3000);
    const linesBefore = logs.lines.length;
    const commandsBefore = await on(replica, async (c) => Number(/total_commands_processed:(\d+)/.exec(await c.info("stats"))![1]));
    const cpuBefore = process.cpuUsage();
    await sleep(2000);
    const cpu = process.cpuUsage(cpuBefore);
    const commands = (await on(replica, async (c) => Number(/total_commands_processed:(\d+)/.exec(await c.info("stats"))![1]))) - commandsBefore;
    const lines = logs.lines.length - linesBefore;
    // At most one line a second per kind of error; a handful of kinds.
    expect(lines, JSON.stringify(logs.lines.slice(-10))).to.be.below(20);
    expect(commands, "Redis commands in 2 s").to.be.below(400);
    expect((cpu.user + cpu.system) / 2e6, "share of a core").to.be.below(0.4);
    const counted = logs.lines.filter((l) => typeof l.count === "number" && (l.count as number) > 1);
    expect(counted.length, "lines that stand for several errors say how many").to.be.above(0);
  });

  it("says Redis is full, answers fast 503s (never a 500), and recovers by itself once memory is freed", async () => {
    const redis = await server({ args: ["--maxmemory-policy", "noeviction"] });
    const logs = capture();
    stack = await startStack({ env: { REDIS_URL: redis.url, LOG_LEVEL: "warn", REQUEST_TIMEOUT_MS: "3000" }, logDestination: logs });
    await stack.importLines(DIRECTORY);
    expect((await timedPost(stack)).status).to.equal(200);

    // Junk keys, then a limit below what they take: every write is refused (`noeviction`) until they go.
    await on(redis, async (c) => {
      const junk = "x".repeat(1024);
      for (let batch = 0; batch < 8; batch++) {
        const pipeline = c.pipeline();
        for (let i = 0; i < 500; i++) pipeline.set(`junk:${batch}:${i}`, junk);
        await pipeline.exec();
      }
      const used = Number(/used_memory:(\d+)/.exec(await c.info("memory"))![1]);
      await c.config("SET", "maxmemory", String(used - 512 * 1024));
    });
    const full = await until("readiness sees it full", 5000, async () => {
      const r = await readiness(stack!.api.url);
      return r.checks.redis === "full" ? r : undefined;
    });
    expect(full.status).to.equal(503);
    expect((await readiness(stack.worker!.http.url)).checks.redis).to.equal("full");
    const answers = await Promise.all(Array.from({ length: 10 }, () => timedPost(stack!)));
    for (const answer of answers) expectUnavailable(answer, 1000);
    expect(logs.lines.some((l) => l.msg === "audit event could not be written"), "the refused audit write is logged as failed").to.equal(true);

    await on(redis, async (c) => {
      for (let cursor = "0"; ; ) {
        const [next, batch] = await c.scan(cursor, "MATCH", "junk:*", "COUNT", 1000);
        if (batch.length > 0) await c.del(...batch);
        cursor = next;
        if (cursor === "0") break;
      }
    });
    const served = await until("a URL once memory is freed", 10_000, async () => {
      const answer = await timedPost(stack!);
      return answer.status === 200 ? answer : undefined;
    });
    expect(served.body.contentUrl).to.be.a("string");
    expect((await readiness(stack.api.url)).checks.redis).to.equal("ok");
  });

  it("answers 503 with Retry-After, never 401, while the directory is missing, and serves again after a re-import", async () => {
    const redis = await server();
    const logs = capture();
    stack = await startStack({ env: { REDIS_URL: redis.url, LOG_LEVEL: "warn" }, logDestination: logs });
    await stack.importLines(DIRECTORY);
    expect((await timedPost(stack)).status).to.equal(200);

    const traffic = load(stack, 4);
    await sleep(300);
    await on(redis, (c) => c.flushall());
    const flushed = Date.now();
    // Requests in flight at the flush lost their jobs and hold their callers until the deadline; wait past it.
    await until("answers after the flush", 15_000, async () => (traffic.answers.filter((a) => a.at > flushed + 50).length > 10 ? true : undefined));
    await traffic.stop();
    const after = traffic.answers.filter((a) => a.at > flushed + 50);
    expect(after.length).to.be.above(10);
    // Those in flight at the flush lost their jobs with it: they wait for their deadline.
    for (const answer of after) expectUnavailable(answer, 3000 + 1000);

    const events = await stack.auditEvents();
    expect(events.filter((e) => e.outcome === "unavailable" && e.reason === "directory_empty").length).to.be.above(0);
    expect(events.filter((e) => e.outcome === "unauthenticated")).to.deep.equal([]);
    const warnings = logs.lines.filter((l) => String(l.msg).includes("directory"));
    expect(warnings.length).to.be.within(1, 2 * 4);

    await stack.importLines(DIRECTORY);
    const served = await timedPost(stack);
    expect(served.status).to.equal(200);
    expect(served.body.contentUrl).to.be.a("string");
  });

  it("logs an audit write Redis did not answer in time as of unknown outcome, not as failed", async () => {
    const redis = await server();
    const logs = capture();
    stack = await startStack({ env: { REDIS_URL: redis.url, LOG_LEVEL: "warn", REDIS_COMMAND_TIMEOUT_MS: "300" }, logDestination: logs });
    const requestId = `slow-${Date.now()}`;
    // Slow, not gone: the append waits in Redis's socket and runs once it thaws.
    redis.freeze();
    const refused = await stack.post(BODY, { headers: { "X-Request-Id": requestId } });
    expect(refused.status).to.equal(401);
    await sleep(200);
    redis.thaw();

    const events = await until("the event written after all", 5000, async () => {
      const mine = (await stack!.auditEvents()).filter((e) => e.requestId === requestId);
      return mine.length > 0 ? mine : undefined;
    });
    expect(events).to.have.length(1);
    const line = logs.lines.find((l) => l.requestId === requestId);
    expect(line?.msg).to.equal("audit event outcome unknown: Redis did not answer in time, it may have been written");
  });

  it("shows in readiness a worker that beats with another shard count", async () => {
    stack = await startStack();
    await stack.importLines(DIRECTORY);
    await until("ready", 10_000, async () => ((await readiness(stack!.api.url)).status === 200 ? true : undefined));
    // As after a Redis restarted empty: the first process back records its own count.
    await stack.redis.del(stack.keys.shardCount);
    const other = await startWorker({ ...stack.config, queueShards: 2 }, createLogger("test", "silent"));
    try {
      const mismatch = await until("the mismatch seen", 5000, async () => {
        const r = await readiness(stack!.api.url);
        return r.checks.shards === "mismatch" ? r : undefined;
      });
      expect(mismatch.status).to.equal(503);
    } finally {
      await other.close();
    }
  });
});
