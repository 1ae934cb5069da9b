/** The audit CLI against a Redis Cluster of 3 masters, the audit stream in 3 queue shards spread over them. */
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { Cluster } from "ioredis";
import { type AuditEvent } from "../../shared/domain/audit.js";
import { keys } from "../../shared/redis/keys.js";
import { appendTo, crashAndResume, pendingCount, RANGE, SCRIPT, secondOne, startCli, timeline } from "../support/audit-cli.js";
import { runScript } from "../support/cli.js";
import { masterForKey, startRedisCluster, type RedisCluster } from "../support/redis-cluster.js";

describe("audit CLI on a Redis Cluster of 3 masters, QUEUE_SHARDS=3", function () {
  const prefix = `t${randomUUID().slice(0, 8)}`;
  const streams = keys(prefix, { shards: 3, cluster: true }).auditStreams;
  let cluster: RedisCluster;
  let client: Cluster;
  let env: Record<string, string>;

  before(async function () {
    this.timeout(60_000);
    cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 0 });
    const nodes = cluster.url.replace("redis+cluster://", "").split(",").map((hostPort) => ({ host: "127.0.0.1", port: Number(hostPort.split(":")[1]) }));
    client = new Cluster(nodes);
    client.on("error", () => undefined);
    env = { REDIS_URL: cluster.url, KEY_PREFIX: prefix, QUEUE_SHARDS: "3" };
  });
  beforeEach(() => Promise.all(streams.map((stream) => client.del(stream))));
  after(async function () {
    this.timeout(40_000);
    client?.disconnect();
    await cluster?.stop();
  });

  it("spreads the shard streams over more than one master", async () => {
    const owners = new Set(await Promise.all(streams.map((stream) => masterForKey(cluster, stream))));
    expect(owners.size).to.be.above(1);
  });

  it("exports a range merged over the shard streams, and a group reads every entry of every shard", async function () {
    this.timeout(40_000);
    const placements = timeline(streams, (i) => (i * 2) % 3);
    const events = await appendTo(client, placements);
    const result = await runScript(SCRIPT, ["export", ...RANGE, "--count", "3"], env);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout.trimEnd().split("\n").map((line) => (JSON.parse(line) as AuditEvent).id)).to.deep.equal(secondOne(placements, events));

    const consumer = startCli(env, ["tail", "--group", "siem", "--consumer", "siem-1"]);
    await consumer.waitForLines(events.length);
    const later = await appendTo(client, [{ stream: streams[2]! }, { stream: streams[0]! }, { stream: streams[1]! }]);
    await consumer.waitForLines(events.length + later.length);
    consumer.child.kill("SIGTERM");
    expect(await consumer.exited).to.deep.equal({ code: 0, signal: null });
    const got = consumer.ids();
    expect([...got].sort()).to.deep.equal([...events, ...later].map((e) => e.id).sort());
    expect(await pendingCount(client, streams, "siem")).to.equal(0);
  });

  it("resumes a group consumer killed before acknowledging with every entry of every shard", async function () {
    this.timeout(30_000);
    const shardKeys = keys(prefix, { shards: 3, cluster: true });
    const all = (await appendTo(client, Array.from({ length: 2000 }, (_, i) => ({ stream: shardKeys.shardFor(`req-${i}`).auditStream })))).map((e) => e.id);
    await crashAndResume(client, env, streams, "g-restart", all, ["tail", "--group", "g-restart", "--consumer", "a"]);
  });
});
