/** Mocha global fixtures: one Redis for the whole run (see redis-server.ts). */
import { spawnRedis, type SpawnedRedis } from "./redis-server.js";

let spawned: SpawnedRedis | undefined;

export async function mochaGlobalSetup(): Promise<void> {
  if (process.env.REDIS_URL === undefined || process.env.REDIS_URL === "") {
    spawned = await spawnRedis();
    process.env.REDIS_URL = spawned.url;
  }
}

export async function mochaGlobalTeardown(): Promise<void> {
  await spawned?.stop();
}
