/**
 * A Redis for one machine: probe whether one answers, or run a private `redis-server` from PATH on a
 * free port with nothing persisted. Used by `npm start` and by the test run.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { Redis } from "ioredis";

/** What to tell someone who has no `redis-server`. */
export const REDIS_INSTALL_HINT =
  "install Redis (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis) or set REDIS_URL to a Redis you already run";

/** `redis-server` is not on PATH (or cannot be executed). */
export class RedisNotInstalledError extends Error {
  override readonly name = "RedisNotInstalledError";
}

/** A TCP port on 127.0.0.1 that nothing listens on at the moment of asking. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A `redis-server` this process started. */
export interface SpawnedRedis {
  readonly url: string;
  readonly process: ChildProcess;
  /** Stops the server and resolves once it has exited. */
  stop(): Promise<void>;
}

/** How to run a spawned `redis-server`. */
export interface SpawnRedisOptions {
  /**
   * Runs the server in its own process group, so a Ctrl-C in the terminal does not reach it and its
   * owner decides when it stops (after the processes that use it).
   */
  readonly detached?: boolean;
  /** Listen on this port instead of a free one (to restart a server where its clients expect it). */
  readonly port?: number;
}

/**
 * Starts `redis-server` from PATH on a free port (or `options.port`), bound to 127.0.0.1, with
 * nothing persisted unless `extraArgs` say otherwise (later arguments win).
 * @throws RedisNotInstalledError with install hints when `redis-server` cannot be run.
 */
export async function spawnRedis(extraArgs: string[] = [], options: SpawnRedisOptions = {}): Promise<SpawnedRedis> {
  const port = options.port ?? (await freePort());
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", ...extraArgs], {
    stdio: "ignore",
    detached: options.detached === true,
  });
  const failed = new Promise<never>((_, reject) => {
    child.once("error", (error) => reject(new RedisNotInstalledError(`cannot run redis-server (${error.message}); ${REDIS_INSTALL_HINT}`)));
    child.once("exit", (code, signal) => reject(new Error(`redis-server exited before answering (${signal ?? `code ${code}`})`)));
  });
  const url = `redis://127.0.0.1:${port}`;
  try {
    await Promise.race([waitForRedis(url, 10_000), failed]);
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  return {
    url,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** True when a Redis at `url` answers PING within half a second. */
export async function pingRedis(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 500 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** Polls until a Redis at `url` answers. @throws Error when none does within `timeoutMs`. */
export async function waitForRedis(url: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await pingRedis(url)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no Redis answered at ${url} within ${timeoutMs} ms`);
}
