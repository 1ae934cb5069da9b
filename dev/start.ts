/**
 * `npm start`: the whole system on one machine. Uses the Redis and S3 the environment names, or
 * starts local ones; loads the demo directory and objects; runs the API and a worker as child
 * processes; prints where everything is, demo tokens and a curl command; stops it all on Ctrl-C.
 *
 * The processes' log lines are shown readable (pino-pretty) when stdout is a terminal, as the JSON
 * they write otherwise.
 *
 * Besides the service's own variables it reads `PD_DATA_DIR`: where the embedded S3 server keeps its
 * files (default `.data` in the repository; objects go to `<PD_DATA_DIR>/s3`).
 */
import { randomBytes } from "node:crypto";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError, loadConfig, type Config, type JwtConfig } from "../shared/runtime/config.js";
import { keysFor } from "../shared/redis/keys.js";
import { createRedis } from "../shared/redis/client.js";
import { redactRedisUrl } from "../shared/redis/url.js";
import { connect } from "../cli/redis.js";
import { renderBanner, mintDemoToken } from "./demo-banner.js";
import { loadDemo, readDemo } from "./demo-data.js";
import { logFormat } from "./log-output.js";
import { freePort, pingRedis, REDIS_INSTALL_HINT, RedisNotInstalledError, spawnRedis } from "./local-redis.js";
import { waitForApi, waitForWorker } from "./readiness.js";
import { configuredS3, embeddedS3 } from "./s3-target.js";
import { Supervisor } from "./supervisor.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";
/** Generous for a cold start: each child compiles its TypeScript on the fly. */
const READY_TIMEOUT_MS = 60_000;

// Whether a variable is set decides what to start, which the parsed config (with its defaults) cannot tell.
const isSet = (name: string) => (process.env[name] ?? "").trim() !== "";

/** Starts everything, registering each part with the supervisor; returns the text to print. */
async function start(supervisor: Supervisor): Promise<string> {
  const given = loadConfig(process.env, { s3: isSet("S3_ENDPOINT"), jwt: false });
  const demo = await readDemo();

  const redis = await redisToUse(supervisor, given);
  const dataDir = isSet("PD_DATA_DIR") ? resolve(process.env.PD_DATA_DIR!) : join(ROOT, ".data");
  const s3 = isSet("S3_ENDPOINT") ? configuredS3(given.s3) : await embeddedS3(join(dataDir, "s3"));
  supervisor.own("S3 server", () => s3.close());
  const generatedSecret = isSet("JWT_SECRET") ? undefined : randomBytes(48).toString("base64url");
  const port = given.port === 0 ? await freePort() : given.port;
  // The worker's health port: the configured one, else a free one, so a busy 8081 stops nothing.
  const workerHttpPort = isSet("WORKER_HTTP_PORT") && given.workerHttpPort !== 0 ? given.workerHttpPort : await freePort();
  // Health and metrics on a port of their own only when OPS_PORT asks for one (0: a free one).
  const opsPort = given.opsPort === 0 ? await freePort() : given.opsPort;

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    WORKER_HTTP_PORT: String(workerHttpPort),
    ...(opsPort === undefined ? {} : { OPS_PORT: String(opsPort) }),
    REDIS_URL: redis.url,
    ...s3.env,
    ...(generatedSecret === undefined ? {} : { JWT_SECRET: generatedSecret }),
  };
  const config = loadConfig(env);
  const secret = config.jwt.secret!;
  const keys = keysFor(config);

  const client = createRedis(config.redis, "worker", { name: "predownload-start" });
  supervisor.own("Redis connection", async () => {
    await client.quit();
  });
  await loadDemo(demo, client, keys, (object) => s3.upload(object));

  const logs = logFormat(process.stdout.isTTY);
  supervisor.spawnNode("API", "api/main.ts", env, ROOT, logs);
  supervisor.spawnNode("worker", "worker/main.ts", env, ROOT, logs);
  const baseUrl = `http://127.0.0.1:${port}`;
  await Promise.all([
    waitForApi(baseUrl, supervisor.signal, READY_TIMEOUT_MS),
    waitForWorker(`http://127.0.0.1:${workerHttpPort}`, supervisor.signal, READY_TIMEOUT_MS),
  ]);

  return renderBanner({
    baseUrl,
    parts: [
      ["Redis", `${redactRedisUrl(redis.url)} (${redis.origin}), key prefix ${config.keyPrefix}`],
      ["S3", s3.description],
      ["Tokens", describeTokens(config.jwt, generatedSecret !== undefined)],
      ["Health", `${opsPort === undefined ? baseUrl : `http://127.0.0.1:${opsPort}`}/health/ready, worker http://127.0.0.1:${workerHttpPort}/health/ready; metrics at /metrics on both`],
    ],
    entries: demo.entries,
    token: (actor) => mintDemoToken(secret, config.jwt, actor),
  });
}

/** `REDIS_URL` if set, else a Redis already answering on the default port, else a private `redis-server`. */
async function redisToUse(supervisor: Supervisor, given: Config): Promise<{ url: string; origin: string }> {
  if (isSet("REDIS_URL")) {
    // Any topology REDIS_URL names; RedisUnreachable says where it looked.
    const probe = await connect(given.redis, "predownload-start", 5000);
    probe.disconnect();
    return { url: given.redisUrl, origin: "REDIS_URL" };
  }
  if (await pingRedis(DEFAULT_REDIS_URL)) return { url: DEFAULT_REDIS_URL, origin: "already running" };
  const spawned = await spawnRedis([], { detached: true });
  supervisor.own("redis-server", () => spawned.stop(), spawned.process);
  spawned.process.once("exit", (code, signal) => supervisor.fail(`redis-server exited unexpectedly (${signal ?? `code ${code}`})`));
  return { url: spawned.url, origin: "redis-server started for this run, stopped on exit" };
}

function describeTokens(jwt: JwtConfig, generated: boolean): string {
  const key = generated
    ? "HS256 with a random secret made for this run (development only; set JWT_SECRET to keep tokens across restarts)"
    : "HS256 with JWT_SECRET";
  const claims = [jwt.issuer && `issuer ${jwt.issuer}`, jwt.audience && `audience ${jwt.audience}`].filter(Boolean);
  return claims.length === 0 ? key : `${key}; ${claims.join(", ")}`;
}

function explain(error: unknown): string {
  if (error instanceof ConfigError) return error.message;
  if (error instanceof RedisNotInstalledError) return `no Redis found: nothing answers at ${DEFAULT_REDIS_URL} and redis-server is not on PATH.\n${REDIS_INSTALL_HINT}`;
  return error instanceof Error ? error.message : String(error);
}

const supervisor = new Supervisor();
try {
  process.stdout.write(await start(supervisor));
  await supervisor.untilStopped();
} catch (error) {
  // An abort only means Ctrl-C came during startup; anything else is why startup failed.
  if (!supervisor.signal.aborted) supervisor.fail(explain(error));
}
if (supervisor.failure !== undefined) console.error(`npm start: ${supervisor.failure}`);
else console.log("Stopping…");
const code = await supervisor.stopAll();
if (supervisor.failure === undefined) console.log(code === 0 ? "Stopped." : "Stopped, with errors.");
process.exit(code);
