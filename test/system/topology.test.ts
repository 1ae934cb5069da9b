/**
 * Redis topologies on one server: the service end to end with its sign jobs spread over several
 * queue shards, one shard count for every process, and waiting for replicas. (REDIS_URL and the key
 * layout: test/unit/redis-url.test.ts and test/unit/keys.test.ts; a real cluster: test/topology/.)
 */
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { expect } from "chai";
import { Redis } from "ioredis";
import { loadConfig } from "../../shared/runtime/config.js";
import { DEGRADED_RETRY_MS, Durability, writeDurably } from "../../shared/redis/durability.js";
import { createLogger } from "../../shared/runtime/log.js";
import { startApi } from "../../api/server.js";
import { ShardCountMismatch } from "../../shared/redis/shard-count.js";
import { startWorker } from "../../worker/worker.js";
import { client, department, minimalDirectory, predownloadBody } from "../support/factories.js";
import { NO_WAIT, startStack, type Stack } from "../support/stack.js";

describe("Redis topologies", () => {
  describe("the service with four queue shards", () => {
    let stack: Stack;
    before(async () => {
      stack = await startStack({ env: { QUEUE_SHARDS: "4" } });
      await stack.importLines(minimalDirectory());
    });
    after(async () => stack.close());

    it("answers every request, records each once, and uses every shard's queue and audit stream", async () => {
      const token = stack.token("client", "app1");
      const answers = await Promise.all(
        Array.from({ length: 80 }, async (_, i) => {
          const res = await stack.post(predownloadBody({ altId: i % 10 === 0 ? "missing" : "att1" }), { token });
          await res.body?.cancel();
          return { status: res.status, requestId: res.headers.get("X-Request-Id")! };
        }),
      );
      expect(answers.filter((a) => a.status === 200)).to.have.length(72);
      expect(answers.filter((a) => a.status === 404)).to.have.length(8);

      const events = await stack.auditEvents();
      for (const answer of answers) {
        expect(events.filter((e) => e.requestId === answer.requestId).map((e) => e.outcome)).to.deep.equal([answer.status === 200 ? "issued" : "not_found"]);
      }
      const lengths = await Promise.all(stack.keys.auditStreams.map((stream) => stack.redis.xlen(stream)));
      expect(lengths).to.have.length(4);
      for (const length of lengths) expect(length).to.be.greaterThan(0);
      expect(lengths.reduce((a, b) => a + b, 0)).to.equal(80);
    });
  });
});

describe("one shard count for every process", () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ env: { QUEUE_SHARDS: "4" } });
  });
  after(async () => stack.close());

  it("refuses to start an API or a worker whose QUEUE_SHARDS differs from the one recorded for its Redis and prefix", async () => {
    const other = loadConfig({ ...stack.env, QUEUE_SHARDS: "2" });
    const log = createLogger("test", "silent");
    for (const start of [() => startApi(other, log), () => startWorker(other, log)]) {
      const failure = await start().then(
        (running) => running.close().then(() => undefined),
        (error: unknown) => error,
      );
      expect(failure).to.be.instanceOf(ShardCountMismatch);
      expect((failure as Error).message).to.include("QUEUE_SHARDS is 2 here but 4");
    }
  });

  it("checks again when it reconnects, and is not ready while the counts disagree", async () => {
    const ready = async () => ((await (await fetch(`${stack.api.url}/health/ready`)).json()) as { checks: { shards: string } }).checks.shards;
    const reconnectApi = async () => {
      for (const line of ((await stack.redis.client("LIST")) as string).split("\n")) {
        const id = /^id=(\d+) .*name=predownload-command /.exec(line)?.[1];
        if (id !== undefined) await stack.redis.client("KILL", "ID", id);
      }
    };
    await stack.importLines([department("d1")]);
    expect(await ready()).to.equal("agreed");
    // Another count recorded meanwhile (or a Redis restarted empty, and a process started with another count).
    await stack.redis.set(stack.keys.shardCount, "2");
    await reconnectApi();
    for (let i = 0; i < 50 && (await ready()) !== "mismatch"; i++) await sleep(100);
    expect(await ready()).to.equal("mismatch");
    await stack.redis.del(stack.keys.shardCount);
    await reconnectApi();
    for (let i = 0; i < 50 && (await ready()) !== "agreed"; i++) await sleep(100);
    expect(await ready()).to.equal("agreed");
    expect(await stack.redis.get(stack.keys.shardCount)).to.equal("4");
  });
});

describe("a request's events with several shards", () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ worker: false, env: { QUEUE_SHARDS: "4", REQUEST_TIMEOUT_MS: "1000" } });
    await stack.importLines(minimalDirectory());
  });
  after(async () => stack.close());

  it("keeps the API's event and a late worker's event for one request in the same shard's stream", async () => {
    const res = await stack.post(predownloadBody(), { token: stack.token("client", "app1") });
    expect(res.status).to.equal(503);
    const requestId = res.headers.get("X-Request-Id")!;
    stack.worker = await startWorker(stack.config, createLogger("test", "silent"));
    const streamsWith = async () => {
      const found: string[] = [];
      for (const stream of stack.keys.auditStreams) {
        for (const [, fields] of await stack.redis.xrange(stream, "-", "+")) if (fields[1]!.includes(`"requestId":"${requestId}"`)) found.push(stream);
      }
      return found;
    };
    for (let i = 0; i < 100 && (await streamsWith()).length < 2; i++) await sleep(100);
    const streams = await streamsWith();
    expect(streams).to.have.length(2);
    expect(new Set(streams).size).to.equal(1);
  });
});

describe("waiting for replicas", () => {
  let redis: Redis;
  before(() => {
    redis = new Redis(process.env.REDIS_URL!);
  });
  after(() => redis.disconnect());

  // A WAIT timeout of 1 s: what a test tells apart (waiting it or not, once or per write) stays clear on a loaded machine.
  it("waits the timeout on a server without replicas, says the write is not replicated, then stops waiting on that scope for a while", async () => {
    const durability = new Durability(1, 1000);
    const key = `t${randomUUID().slice(0, 8)}:durable`;
    const write = () => writeDurably(redis, durability, "shard-a", (pipeline) => pipeline.set(key, "1", "PX", 10_000));
    let started = Date.now();
    const first = await write();
    expect(Date.now() - started).to.be.at.least(990);
    expect(first).to.deep.equal({ replies: ["OK"], replicated: false });
    started = Date.now();
    const second = await write();
    expect(Date.now() - started).to.be.below(500);
    expect(second.replicated).to.equal(true);
    expect(durability.replicasFor("shard-b")).to.equal(1);
    expect(durability.replicasFor("shard-a", Date.now() + DEGRADED_RETRY_MS + 1)).to.equal(1);
    await redis.del(key);
  });

  it("shares WAITs among concurrent writes, so a missing replica costs one timeout, not one per write", async () => {
    const durability = new Durability(1, 1000);
    const key = `t${randomUUID().slice(0, 8)}:shared`;
    const started = Date.now();
    const writes = Array.from({ length: 20 }, () => writeDurably(redis, durability, key, (pipeline) => pipeline.incr(key)));
    const ping = redis.ping().then(() => Date.now() - started);
    const results = await Promise.all(writes);
    // At most two timeouts (the WAIT in flight and the one the others share), not twenty.
    expect(Date.now() - started).to.be.below(2500);
    expect(await ping).to.be.below(2500);
    expect(results.filter((r) => !r.replicated).length).to.be.within(1, 2);
    expect(await redis.get(key)).to.equal("20");
    await redis.del(key);
  });

  it("does not wait at all when no replica is asked for", async () => {
    const started = Date.now();
    const result = await writeDurably(redis, NO_WAIT, "shard-a", (pipeline) => pipeline.ping());
    expect(result).to.deep.equal({ replies: ["PONG"], replicated: true });
    expect(Date.now() - started).to.be.below(500);
  });
});
