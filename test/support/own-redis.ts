/**
 * A Redis server that one test owns and may kill, freeze, thaw and restart on the same port, so
 * the service's clients find it again. With `persist`, it keeps its data across restarts (AOF, as
 * production should run); without, a restart comes back empty.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, spawnRedis, type SpawnedRedis } from "../../dev/local-redis.js";

export interface OwnRedis {
  readonly url: string;
  /** SIGKILL: the server vanishes mid-conversation. */
  kill(): Promise<void>;
  /** SIGSTOP: connections stay open, nothing answers. */
  freeze(): void;
  thaw(): void;
  /** Starts the server again on the same port (after `kill`). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function ownRedis(options: { persist?: boolean; args?: string[] } = {}): Promise<OwnRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "pd-redis-"));
  // Its files (a replica's synced copy included) stay in its own folder, never in the working directory.
  const args = ["--dir", dir, ...(options.persist === true ? ["--appendonly", "yes", "--appendfsync", "always"] : []), ...(options.args ?? [])];
  let server: SpawnedRedis | undefined = await spawnRedis(args, { port });
  return {
    url: server.url,
    async kill() {
      const exited = new Promise((resolve) => server!.process.once("exit", resolve));
      server!.process.kill("SIGKILL");
      await exited;
      server = undefined;
    },
    freeze: () => server!.process.kill("SIGSTOP"),
    // A no-op when the server is down (killed, or its restart failed): cleanup calls it whatever happened.
    thaw: () => void server?.process.kill("SIGCONT"),
    async start() {
      server = await spawnRedis(args, { port });
    },
    async stop() {
      server?.process.kill("SIGCONT");
      await server?.stop();
      server = undefined;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
