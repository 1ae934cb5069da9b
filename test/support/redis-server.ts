/**
 * Test-run Redis: `REDIS_URL` when it is set, otherwise a private `redis-server` on a free port,
 * started for the run and stopped after it. The helpers live with `npm start`, which needs the same.
 */
export { freePort, pingRedis, spawnRedis, waitForRedis, type SpawnedRedis } from "../../dev/local-redis.js";
