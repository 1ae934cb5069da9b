import { Cluster } from "ioredis";
import type { RedisClient } from "../shared/redis/client.js";

/** Redis server CPU time so far (user + system), in seconds, from INFO cpu: summed over every node of a cluster, replicas included. */
export async function redisCpuSeconds(redis: RedisClient): Promise<number> {
  const nodes = redis instanceof Cluster ? redis.nodes("all") : [redis];
  const infos = await Promise.all(nodes.map((node) => node.info("cpu")));
  const value = (info: string, name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, "m").exec(info)?.[1] ?? "0");
  return infos.reduce((sum, info) => sum + value(info, "used_cpu_user") + value(info, "used_cpu_sys"), 0);
}
