/**
 * Test-run Redis: `REDIS_URL` when it is set, otherwise a private `redis-server` on a free port,
 * started for the run and stopped after it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { Redis } from "ioredis";

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

export interface SpawnedRedis {
  readonly url: string;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `redis-server` from PATH with nothing persisted; rejects with install hints when it is missing. */
export async function spawnRedis(extraArgs: string[] = []): Promise<SpawnedRedis> {
  const port = await freePort();
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", ...extraArgs], {
    stdio: "ignore",
  });
  const spawnError = new Promise<never>((_, reject) =>
    child.once("error", (error) =>
      reject(new Error(`cannot start redis-server (${error.message}); install it (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) or set REDIS_URL`)),
    ),
  );
  const url = `redis://127.0.0.1:${port}`;
  await Promise.race([waitForRedis(url, 10_000), spawnError]);
  return {
    url,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

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

export async function waitForRedis(url: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await pingRedis(url)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no Redis answered at ${url} within ${timeoutMs} ms`);
}
