/**
 * The Redis Cluster test harness against real servers: 3 masters with a replica each, keys routed
 * by slot through ioredis `Cluster`, hash tags, and a master killed after a `WAIT`-confirmed write
 * whose replica takes over with the data.
 */
import { existsSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { Cluster, Redis } from "ioredis";
import { RedisNotInstalledError } from "../../dev/local-redis.js";
import { pingRedis } from "../support/redis-server.js";
import { CLUSTER_SLOTS, masterForKey, RedisClusterStartError, slotOf, startRedisCluster, type RedisCluster } from "../support/redis-cluster.js";

/** The startup nodes named by a `redis+cluster://host:port,host:port` URL. */
function startupNodes(url: string): Array<{ host: string; port: number }> {
  const match = /^redis\+cluster:\/\/(.+)$/.exec(url);
  if (match === null) throw new Error(`not a redis+cluster URL: ${url}`);
  return match[1]!.split(",").map((hostPort) => {
    const [host = "", port = ""] = hostPort.split(":");
    return { host, port: Number(port) };
  });
}

function clusterClient(url: string): Cluster {
  const client = new Cluster(startupNodes(url), {
    redisOptions: { connectTimeout: 1000 },
    clusterRetryStrategy: (times) => (times > 20 ? null : 100),
    slotsRefreshTimeout: 2000,
  });
  client.on("error", () => undefined);
  return client;
}

/** A key for each master: the first `prefix<n>` whose slot (as the cluster computes it) it serves. */
async function keysPerMaster(cluster: RedisCluster, masters: Array<{ port: number; slots: Array<[number, number]> }>, prefix: string): Promise<Map<number, string>> {
  const keys = new Map<number, string>();
  for (let n = 0; keys.size < masters.length; n += 1) {
    const key = `${prefix}${n}`;
    const slot = await slotOf(cluster, key);
    const owner = masters.find((master) => master.slots.some(([from, to]) => from <= slot && slot <= to))!;
    if (!keys.has(owner.port)) keys.set(owner.port, key);
  }
  return keys;
}

describe("Redis Cluster harness", function () {
  let cluster: RedisCluster;
  const clients: Array<Cluster | Redis> = [];
  const connect = (url: string) => {
    const client = clusterClient(url);
    clients.push(client);
    return client;
  };

  before(async function () {
    this.timeout(60_000);
    cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1 });
  });

  afterEach(() => {
    for (const client of clients.splice(0)) client.disconnect();
  });

  after(async function () {
    this.timeout(20_000);
    await cluster?.stop();
    await cluster?.stop();
    for (const node of cluster?.nodes ?? []) expect(node.process.exitCode !== null || node.process.signalCode !== null, `node ${node.port} still runs`).to.equal(true);
    for (const node of cluster?.nodes ?? []) expect(existsSync(node.dir), `${node.dir} still exists`).to.equal(false);
  });

  it("runs 3 masters with a replica each, which the URL names and which split all slots", async () => {
    expect(cluster.nodes).to.have.length(6);
    const masters = await cluster.masters();
    expect(masters).to.have.length(3);
    expect(cluster.nodes.filter((node) => node.role === "master").map((node) => node.port)).to.have.members(masters.map((m) => m.port));
    expect(cluster.nodes.filter((node) => node.role === "replica")).to.have.length(3);
    expect(startupNodes(cluster.url)).to.have.deep.members(masters.map((m) => ({ host: "127.0.0.1", port: m.port })));
    for (const master of masters) expect(master.replicas).to.have.length(1);
    const ranges = masters.flatMap((m) => m.slots).sort((a, b) => a[0] - b[0]);
    let next = 0;
    for (const [from, to] of ranges) {
      expect(from).to.equal(next);
      next = to + 1;
    }
    expect(next).to.equal(CLUSTER_SLOTS);
    expect(await cluster.masterForSlot(0)).to.equal(masters[0]!.port);
    expect(await cluster.masterForSlot(CLUSTER_SLOTS - 1)).to.equal(masters[masters.length - 1]!.port);
  });

  it("says where Redis keeps a key with an empty hash tag, which ioredis reaches through MOVED", async () => {
    const client = connect(cluster.url);
    const key = "foo{}{bar}";
    const port = await masterForKey(cluster, key);
    expect(await client.set(key, "v")).to.equal("OK");
    const owner = client.nodes("master").find((node) => node.options.port === port)!;
    expect(await owner.get(key)).to.equal("v");
  });

  it("stores and reads keys in every master's slots through a Cluster client", async () => {
    const masters = await cluster.masters();
    const client = connect(cluster.url);
    const keys = await keysPerMaster(cluster, masters, "harness:key:");
    expect(keys.size).to.equal(3);
    for (const [port, key] of keys) {
      expect(await masterForKey(cluster, key)).to.equal(port);
      expect(await client.set(key, `value of ${key}`)).to.equal("OK");
      expect(await client.get(key)).to.equal(`value of ${key}`);
      // The master that masterForKey names holds it itself: no MOVED.
      const owner = client.nodes("master").find((node) => node.options.port === port)!;
      expect(await owner.get(key)).to.equal(`value of ${key}`);
    }
  });

  it("puts keys with the same hash tag on the same master", async () => {
    const client = connect(cluster.url);
    const tagged = ["{order:42}:items", "{order:42}:total", "{order:42}"];
    const port = await masterForKey(cluster, tagged[0]!);
    for (const key of tagged) expect(await masterForKey(cluster, key), key).to.equal(port);
    expect(await client.mset(tagged[0]!, "3", tagged[1]!, "9.99", tagged[2]!, "open")).to.equal("OK");
    expect(await client.mget(...tagged)).to.deep.equal(["3", "9.99", "open"]);
    const other = ["{a}x", "{b}x", "{c}x", "{d}x", "{e}x", "{f}x"].map(async (key) => masterForKey(cluster, key));
    expect(new Set(await Promise.all(other)).size).to.be.greaterThan(1);
  });

  it("keeps a key whose master is killed: its replica takes over with the data", async function () {
    this.timeout(40_000);
    const key = "{failover}:answer";
    const port = await masterForKey(cluster, key);
    const master = (await cluster.masters()).find((m) => m.port === port)!;
    const before = connect(cluster.url);
    // SET and WAIT go over the same connection, so WAIT counts the replicas that have this write.
    const [set, waited] = (await before.pipeline().set(key, "42").wait(1, 1000).exec())!;
    expect(set).to.deep.equal([null, "OK"]);
    expect(waited).to.deep.equal([null, 1]);
    before.disconnect();

    await cluster.killMaster(port);
    expect(cluster.nodes.find((node) => node.port === port)!.role).to.equal("killed");
    expect(await pingRedis(`redis://127.0.0.1:${port}`)).to.equal(false);
    const heir = await cluster.waitForFailover(port, 30_000);
    expect(master.replicas).to.deep.equal([heir]);
    expect(cluster.nodes.find((node) => node.port === heir)!.role).to.equal("master");
    expect(await masterForKey(cluster, key)).to.equal(heir);
    expect(await cluster.masters()).to.have.length(3);

    const after = connect(cluster.url);
    expect(await after.get(key)).to.equal("42");
    expect(await after.set(key, "43")).to.equal("OK");
    expect(await after.get(key)).to.equal("43");
    const again = await cluster.killMaster(port).catch((error: unknown) => error);
    expect((again as Error).message).to.match(/already been killed/);
  });

  describe("failing to start", () => {
    it("names redis-server or redis-cli when one is not on PATH", async () => {
      const bin = mkdtempSync(join(tmpdir(), "pd-no-redis-"));
      const path = process.env.PATH;
      try {
        process.env.PATH = bin;
        const noServer = await startRedisCluster().catch((error: unknown) => error);
        expect(noServer).to.be.instanceOf(RedisNotInstalledError);
        expect((noServer as Error).message).to.match(/cannot run redis-server/);
        const server = (path ?? "").split(":").map((dir) => join(dir, "redis-server")).find((file) => existsSync(file))!;
        symlinkSync(server, join(bin, "redis-server"));
        const noCli = await startRedisCluster().catch((error: unknown) => error);
        expect(noCli).to.be.instanceOf(RedisNotInstalledError);
        expect((noCli as Error).message).to.match(/cannot run redis-cli/);
      } finally {
        process.env.PATH = path;
        rmSync(bin, { recursive: true, force: true });
      }
    });

    it("gives up after its timeout and leaves nothing running", async function () {
      this.timeout(20_000);
      const failure = await startRedisCluster({ masters: 3, replicasPerMaster: 0, startTimeoutMs: 300 }).catch((error: unknown) => error);
      expect(failure).to.be.instanceOf(RedisClusterStartError);
      const { message, ports, dir } = failure as RedisClusterStartError;
      expect(message).to.match(/within 300 ms/);
      expect(ports).to.have.length(3);
      for (const port of ports) expect(await pingRedis(`redis://127.0.0.1:${port}`), `${port} answers`).to.equal(false);
      expect(existsSync(dir)).to.equal(false);
    });
  });
});
