import type { Redis } from "ioredis";

/** Redis server CPU time so far (user + system), in seconds, from INFO cpu. */
export async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info("cpu");
  const value = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, "m").exec(info)?.[1] ?? "0");
  return value("used_cpu_user") + value("used_cpu_sys");
}
