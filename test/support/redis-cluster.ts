/** Test-run Redis Clusters: the helpers live with `npm run bench -- --cluster`, which needs the same. */
import { Redis } from "ioredis";
import type { RedisCluster } from "../../dev/local-redis-cluster.js";

export * from "../../dev/local-redis-cluster.js";

/** The slot of `key` as the cluster itself computes it: `CLUSTER KEYSLOT`, asked of a live node. */
export async function slotOf(cluster: RedisCluster, key: string): Promise<number> {
  const node = cluster.nodes.find((n) => n.role !== "killed");
  if (node === undefined) throw new Error("no live node to ask CLUSTER KEYSLOT");
  const redis = new Redis({ host: "127.0.0.1", port: node.port, lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on("error", () => undefined);
  try {
    return await redis.cluster("KEYSLOT", key);
  } finally {
    redis.disconnect();
  }
}

/** Port of the master that serves `key` now, by the slot the cluster computes for it. */
export async function masterForKey(cluster: RedisCluster, key: string): Promise<number> {
  return cluster.masterForSlot(await slotOf(cluster, key));
}
