/**
 * A Redis for one machine: probe whether one answers, or run a private `redis-server` from PATH on a
 * free port with nothing persisted. Used by `npm start` and by the test run.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomInt } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { Redis } from "ioredis";

/** What to tell someone who has no `redis-server`. */
export const REDIS_INSTALL_HINT =
  "install Redis (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis) or set REDIS_URL to a Redis you already run";

/** `redis-server` is not on PATH (or cannot be executed). */
export class RedisNotInstalledError extends Error {
  override readonly name = "RedisNotInstalledError";
}

/** The lowest port chosen by {@link freePort} when it can keep out of the system's own range. */
const LOWEST_CHOSEN_PORT = 10_000;

/** The first port of the range the system hands out by itself (to port-0 listeners and outgoing connections). */
function firstEphemeralPort(): number {
  try {
    const low = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 0 ? low : 32_768;
  } catch {
    return 32_768; // Linux's default; other systems start higher.
  }
}

/** Listens on `port` (0: any) on 127.0.0.1 and closes again: the port listened on, or undefined when it is taken. */
function tryListen(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(undefined));
    server.listen(port, "127.0.0.1", () => {
      const { port: bound } = server.address() as { port: number };
      server.close(() => resolve(bound));
    });
  });
}

/**
 * A TCP port on 127.0.0.1 that nothing listens on at the moment of asking, chosen below the range
 * the system hands out by itself where there is room: a server started on it later, or killed and
 * started again on it, finds it still free, as no port-0 listener or outgoing connection is given
 * it meanwhile.
 */
export async function freePort(): Promise<number> {
  const end = firstEphemeralPort();
  for (let attempt = 0; end - LOWEST_CHOSEN_PORT > 1000 && attempt < 50; attempt += 1) {
    const port = await tryListen(LOWEST_CHOSEN_PORT + randomInt(end - LOWEST_CHOSEN_PORT));
    if (port !== undefined) return port;
  }
  const port = await tryListen(0);
  if (port === undefined) throw new Error("no free TCP port on 127.0.0.1");
  return port;
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
