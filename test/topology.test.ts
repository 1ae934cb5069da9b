/**
 * Redis topologies: the REDIS_URL forms, the key layout that keeps each shard in one slot, and the
 * service end to end with its sign jobs spread over several queue shards.
 */
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { expect } from "chai";
import { Redis } from "ioredis";
import { ConfigError, loadConfig } from "../shared/config.js";
import { DEGRADED_RETRY_MS, Durability, writeDurably } from "../shared/durability.js";
import { keys as makeKeys } from "../shared/keys.js";
import { createLogger } from "../shared/log.js";
import { parseRedisUrl, redactRedisUrl, RedisUrlError } from "../shared/redis-url.js";
import { startApi } from "../api/server.js";
import { ShardCountMismatch } from "../shared/shard-count.js";
import { startWorker } from "../worker/worker.js";
import { activity, attachment, client, department } from "./support/factories.js";
import { NO_WAIT, startStack, type Stack } from "./support/stack.js";

const VALID = { S3_BUCKET: "b", AWS_ACCESS_KEY_ID: "id", AWS_SECRET_ACCESS_KEY: "secret", JWT_SECRET: "x".repeat(32) };

/** The part of a key that decides its cluster slot: the first non-empty `{…}`, else the whole key. */
function hashTag(key: string): string {
  const open = key.indexOf("{");
  const close = open < 0 ? -1 : key.indexOf("}", open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
}

describe("Redis topologies", () => {
  describe("REDIS_URL", () => {
    it("takes one server, with credentials and a database", () => {
      expect(parseRedisUrl("redis://u:p@cache:6380/2")).to.deep.equal({ kind: "single", url: "redis://u:p@cache:6380/2" });
      expect(parseRedisUrl("rediss://cache:6380")).to.deep.equal({ kind: "single", url: "rediss://cache:6380" });
    });

    it("takes a cluster's seed nodes, with credentials and TLS", () => {
      expect(parseRedisUrl("redis+cluster://10.0.0.1:7000,10.0.0.2:7001,[::1]:7002")).to.deep.equal({
        kind: "cluster",
        nodes: [
          { host: "10.0.0.1", port: 7000 },
          { host: "10.0.0.2", port: 7001 },
          { host: "::1", port: 7002 },
        ],
        username: undefined,
        password: undefined,
        tls: false,
      });
      expect(parseRedisUrl("rediss+cluster://app:s%40cret@node-a:6379")).to.deep.include({ kind: "cluster", username: "app", password: "s@cret", tls: true });
    });

    it("takes Sentinel hosts, the master's name, a database and the sentinels' own password", () => {
      expect(parseRedisUrl("redis+sentinel://:pw@s1:26379,s2:26379/mymaster/3?sentinelPassword=spw")).to.deep.equal({
        kind: "sentinel",
        sentinels: [
          { host: "s1", port: 26379 },
          { host: "s2", port: 26379 },
        ],
        name: "mymaster",
        db: 3,
        username: undefined,
        password: "pw",
        sentinelPassword: "spw",
        tls: false,
      });
    });

    for (const [url, why] of [
      ["http://cache:6379", /expected redis:\/\//],
      ["redis+cluster://node-a", /expected host:port/],
      ["redis+cluster://node-a:70000", /expected host:port/],
      ["redis+cluster://node-a:7000/1", /no path/],
      ["redis+sentinel://s1:26379", /names the master/],
      ["redis+sentinel://s1:26379/mymaster/x", /database must be a number/],
    ] as const) {
      it(`refuses ${url}`, () => expect(() => parseRedisUrl(url)).to.throw(RedisUrlError, why));
    }

    it("prints a URL without its user, password or query", () => {
      expect(redactRedisUrl("redis://127.0.0.1:6379/2")).to.equal("redis://127.0.0.1:6379/2");
      expect(redactRedisUrl("redis://app:p/a@ss@cache:6379")).to.equal("redis://***@cache:6379");
      expect(redactRedisUrl("redis+sentinel://:pw@s1:26379/mymaster?sentinelPassword=spw")).to.equal("redis+sentinel://***@s1:26379/mymaster?***");
      expect(redactRedisUrl("not a url")).to.equal("REDIS_URL");
    });

    it("names REDIS_URL without printing its password", () => {
      try {
        loadConfig({ ...VALID, REDIS_URL: "redis+cluster://app:hunter2@node-a" });
        expect.fail("accepted");
      } catch (error) {
        expect(error).to.be.instanceOf(ConfigError);
        expect((error as ConfigError).problems[0]).to.match(/^REDIS_URL:/).and.not.include("hunter2");
      }
      // A password holding "/" or "@" splits where a parser would not expect: still never printed.
      for (const url of ["redis+cluster://a:hun/ter2@b", "redis+sentinel://a:hunter2@s1/x/y?sentinelPassword=hunter2", "redis+cluster://a:hun@ter2@b"]) {
        try {
          loadConfig({ ...VALID, REDIS_URL: url });
        } catch (error) {
          expect((error as ConfigError).problems.join(" ")).to.not.match(/hunter2|ter2/);
        }
      }
    });

    it("spreads a cluster's jobs over 12 shards and waits for one replica by default; one server uses one shard and does not wait", () => {
      expect(loadConfig({ ...VALID, REDIS_URL: "redis+cluster://a:7000" })).to.deep.include({ queueShards: 12, redisWaitReplicas: 1, redisWaitTimeoutMs: 250 });
      expect(loadConfig(VALID)).to.deep.include({ queueShards: 1, redisWaitReplicas: 0 });
      expect(loadConfig({ ...VALID, QUEUE_SHARDS: "4", REDIS_WAIT_REPLICAS: "2" })).to.deep.include({ queueShards: 4, redisWaitReplicas: 2 });
    });
  });

  describe("key layout", () => {
    it("keeps the plain names with one shard on one server", () => {
      const k = makeKeys("pd");
      expect(k.shards).to.have.length(1);
      const [shard] = k.shards;
      expect(shard).to.deep.include({ queuePrefix: "pd", auditStream: "pd:audit" });
      expect(shard!.result("j1")).to.equal("pd:result:j1");
      expect(shard!.replyChannel("api1")).to.equal("pd:reply:api1");
      expect(k.auditStreams).to.deep.equal(["pd:audit"]);
    });

    it("puts each shard's queue, results, audit stream and reply channel in one slot, a different one per shard", () => {
      const k = makeKeys("pd", { shards: 4, cluster: true, auditStream: "pd:audit" });
      const tags = k.shards.map((shard) => {
        const names = [`${shard.queuePrefix}:sign:wait`, shard.result("j1"), shard.auditStream, shard.replyChannel("api1")];
        const shardTags = new Set(names.map(hashTag));
        expect([...shardTags], names.join(" ")).to.have.length(1);
        expect(names.every((name) => name.startsWith("pd:"))).to.equal(true);
        return [...shardTags][0];
      });
      expect(new Set(tags).size).to.equal(4);
      expect(k.shardedReplies).to.equal(true);
    });

    it("uses one reply channel for all shards on one server", () => {
      const k = makeKeys("pd", { shards: 3 });
      expect(new Set(k.shards.map((s) => s.replyChannel("api1")))).to.deep.equal(new Set(["pd:reply:api1"]));
      expect(k.shardedReplies).to.equal(false);
    });

    it("spreads job ids evenly over the shards", () => {
      const k = makeKeys("pd", { shards: 12, cluster: true });
      const counts = new Array<number>(12).fill(0);
      for (let i = 0; i < 12_000; i++) counts[k.shardFor(randomUUID()).index]! += 1;
      for (const n of counts) expect(n).to.be.within(800, 1200);
    });
  });

  describe("the service with four queue shards", () => {
    let stack: Stack;
    before(async () => {
      stack = await startStack({ env: { QUEUE_SHARDS: "4" } });
      await stack.importLines([department("d1"), client("app1"), activity("a1"), attachment("att1")]);
    });
    after(async () => stack.close());

    it("answers every request, records each once, and uses every shard's queue and audit stream", async () => {
      const token = stack.token("client", "app1");
      const answers = await Promise.all(
        Array.from({ length: 80 }, async (_, i) => {
          const res = await stack.post({ app: "email", type: "attachment.inbound", altId: i % 10 === 0 ? "missing" : "att1" }, { token });
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
    stack = await startStack({ worker: false, env: { QUEUE_SHARDS: "4", REQUEST_TIMEOUT_MS: "400", REDIS_COMMAND_TIMEOUT_MS: "100" } });
    await stack.importLines([department("d1"), client("app1"), activity("a1"), attachment("att1")]);
  });
  after(async () => stack.close());

  it("keeps the API's event and a late worker's event for one request in the same shard's stream", async () => {
    const res = await stack.post({ app: "email", type: "attachment.inbound", altId: "att1" }, { token: stack.token("client", "app1") });
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

  it("waits the timeout on a server without replicas, says the write is not replicated, then stops waiting on that scope for a while", async () => {
    const durability = new Durability(1, 300);
    const key = `t${randomUUID().slice(0, 8)}:durable`;
    const write = () => writeDurably(redis, durability, "shard-a", (pipeline) => pipeline.set(key, "1", "PX", 10_000));
    let started = Date.now();
    const first = await write();
    expect(Date.now() - started).to.be.at.least(290);
    expect(first).to.deep.equal({ replies: ["OK"], replicated: false });
    started = Date.now();
    const second = await write();
    expect(Date.now() - started).to.be.below(100);
    expect(second.replicated).to.equal(true);
    expect(durability.replicasFor("shard-b")).to.equal(1);
    expect(durability.replicasFor("shard-a", Date.now() + DEGRADED_RETRY_MS + 1)).to.equal(1);
    await redis.del(key);
  });

  it("shares WAITs among concurrent writes, so a missing replica costs one timeout, not one per write", async () => {
    const durability = new Durability(1, 300);
    const key = `t${randomUUID().slice(0, 8)}:shared`;
    const started = Date.now();
    const writes = Array.from({ length: 20 }, () => writeDurably(redis, durability, key, (pipeline) => pipeline.incr(key)));
    const ping = redis.ping().then(() => Date.now() - started);
    const results = await Promise.all(writes);
    expect(Date.now() - started).to.be.below(800);
    expect(await ping).to.be.below(800);
    expect(results.filter((r) => !r.replicated).length).to.be.within(1, 2);
    expect(await redis.get(key)).to.equal("20");
    await redis.del(key);
  });

  it("does not wait at all when no replica is asked for", async () => {
    const started = Date.now();
    const result = await writeDurably(redis, NO_WAIT, "shard-a", (pipeline) => pipeline.ping());
    expect(result).to.deep.equal({ replies: ["PONG"], replicated: true });
    expect(Date.now() - started).to.be.below(100);
  });
});
