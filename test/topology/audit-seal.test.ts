/** The sealed audit trail on a Redis Cluster of 3 masters: each shard's stream sealed in its own slot, verified live and offline. */
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { Cluster } from "ioredis";
import { sealerLockKeyOf, sealKeyOf, sealsKeyOf } from "../../shared/domain/seal.js";
import { keys } from "../../shared/redis/keys.js";
import { createLogger } from "../../shared/runtime/log.js";
import { startSealer } from "../../worker/sealer.js";
import { appendTo, expectVerifiedLiveAndOffline, SCRIPT } from "../support/audit-cli.js";
import { runScript } from "../support/cli.js";
import { masterForKey, startRedisCluster, type RedisCluster } from "../support/redis-cluster.js";

describe("sealed audit trail on a Redis Cluster of 3 masters, QUEUE_SHARDS=3", function () {
  const prefix = `t${randomUUID().slice(0, 8)}`;
  const streams = keys(prefix, { shards: 3, cluster: true }).auditStreams;
  const dir = mkdtempSync(join(tmpdir(), "pd-seal-"));
  const { privateKey } = generateKeyPairSync("ed25519");
  const key = sealKeyOf(privateKey);
  const publicFile = join(dir, "seal.pub.pem");
  let cluster: RedisCluster;
  let client: Cluster;
  let env: Record<string, string>;

  before(async function () {
    this.timeout(60_000);
    writeFileSync(publicFile, key.publicKey.export({ type: "spki", format: "pem" }));
    cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 0 });
    const nodes = cluster.url.replace("redis+cluster://", "").split(",").map((hostPort) => ({ host: "127.0.0.1", port: Number(hostPort.split(":")[1]) }));
    client = new Cluster(nodes);
    client.on("error", () => undefined);
    env = { REDIS_URL: cluster.url, KEY_PREFIX: prefix, QUEUE_SHARDS: "3" };
  });
  after(async function () {
    this.timeout(20_000);
    client?.disconnect();
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("seals every shard's stream beside it, and verify finds them intact live and offline, and an XDEL", async function () {
    this.timeout(60_000);
    for (const stream of streams) {
      const master = await masterForKey(cluster, stream);
      expect(await masterForKey(cluster, sealsKeyOf(stream))).to.equal(master);
      expect(await masterForKey(cluster, sealerLockKeyOf(stream))).to.equal(master);
    }
    const sealer = startSealer({ redis: client, streams, key, intervalSeconds: 3600, clock: { now: () => Date.now() }, retentionDays: 7, log: createLogger("test", "silent") });
    try {
      // The first round (at start) and this one: checkpoints #1 and #2, empty.
      await sealer.sealNow();
      await appendTo(client, Array.from({ length: 30 }, (_, i) => ({ stream: streams[i % 3]! })));
      await sealer.sealNow();
    } finally {
      await sealer.stop();
    }
    const { live, offline } = await expectVerifiedLiveAndOffline(env, publicFile, join(dir, "trail.ndjson"));
    expect([live, offline]).to.deep.equal(["9 seals, 30 entries, all valid", "9 seals, 30 entries, all valid"]);

    const [id] = (await client.xrange(streams[1]!, "-", "+", "COUNT", 1))[0]!;
    await client.xdel(streams[1]!, id);
    const broken = await runScript(SCRIPT, ["verify", "--public-key", publicFile], env);
    expect(broken.code).to.equal(1);
    expect(broken.stdout).to.include(`${streams[1]}: entry deleted: entry ${id} and 1 entry in all deleted from checkpoint #3`);
  });
});
