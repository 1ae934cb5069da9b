/**
 * A Sentinel-managed Redis on loopback for the topology tests: a master, one replica acknowledging
 * its writes, and one sentinel that promotes the replica when the master dies. `stop()` leaves no
 * process or file.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { Redis } from "ioredis";
import { freePort, spawnRedis, waitForRedis, type SpawnedRedis } from "../../dev/local-redis.js";
import { until } from "./probes.js";

/** The name under which the sentinel monitors the master. */
export const MASTER_NAME = "pdmaster";

export interface RedisSentinel {
  /** `redis+sentinel://127.0.0.1:<port>/pdmaster`: `REDIS_URL` for the service and its CLIs. */
  readonly url: string;
  readonly master: SpawnedRedis;
  readonly replica: SpawnedRedis;
  /** SIGKILLs the master and resolves once it has exited. */
  killMaster(): Promise<void>;
  /** Resolves once the sentinel names the replica as master and the replica says it is one. */
  waitForPromotion(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Starts master, replica and sentinel; resolves once the replica acknowledges writes and the sentinel knows it. */
export async function startRedisSentinel(): Promise<RedisSentinel> {
  const dir = mkdtempSync(join(tmpdir(), "pd-sentinel-"));
  let master: SpawnedRedis | undefined;
  let replica: SpawnedRedis | undefined;
  let sentinel: ChildProcess | undefined;
  const stop = async () => {
    sentinel?.kill("SIGKILL");
    await Promise.all([master?.stop(), replica?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // Without the delay a master waits 5 s before its replica's first sync.
    master = await spawnRedis(["--repl-diskless-sync-delay", "0", "--dir", dir]);
    const masterPort = new URL(master.url).port;
    // A replica keeps the synced data on disk, in a folder of its own.
    const replicaDir = join(dir, "replica");
    mkdirSync(replicaDir);
    replica = await spawnRedis(["--replicaof", "127.0.0.1", masterPort, "--repl-diskless-sync-delay", "0", "--dir", replicaDir]);
    await untilReplicaAcknowledges(master.url);
    const sentinelPort = await freePort();
    const conf = join(dir, "sentinel.conf");
    writeFileSync(
      conf,
      [
        `port ${sentinelPort}`,
        "bind 127.0.0.1",
        `dir ${dir}`,
        `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${masterPort} 1`,
        `sentinel down-after-milliseconds ${MASTER_NAME} 1000`,
        `sentinel failover-timeout ${MASTER_NAME} 5000`,
        "",
      ].join("\n"),
    );
    sentinel = spawn("redis-server", [conf, "--sentinel"], { stdio: "ignore" });
    await waitForRedis(`redis://127.0.0.1:${sentinelPort}`, 10_000);
    // Sentinel must know the replica before it can promote it.
    const probe = new Redis(sentinelPort, "127.0.0.1");
    try {
      await until("the sentinel to know the replica", 10_000, async () => (((await probe.call("SENTINEL", "REPLICAS", MASTER_NAME)) as unknown[]).length > 0 ? true : undefined));
    } finally {
      probe.disconnect();
    }
    const [theMaster, theReplica] = [master, replica];
    return {
      url: `redis+sentinel://127.0.0.1:${sentinelPort}/${MASTER_NAME}`,
      master: theMaster,
      replica: theReplica,
      async killMaster() {
        const exited = new Promise((resolve) => theMaster.process.once("exit", resolve));
        theMaster.process.kill("SIGKILL");
        await exited;
      },
      async waitForPromotion(timeoutMs = 30_000) {
        const asked = new Redis(sentinelPort, "127.0.0.1");
        const promoted = new Redis(theReplica.url);
        try {
          await until("the sentinel to promote the replica", timeoutMs, async () => {
            const [, port] = (await asked.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME)) as [string, string];
            return port === new URL(theReplica.url).port && (await promoted.role())[0] === "master" ? true : undefined;
          });
        } finally {
          asked.disconnect();
          promoted.disconnect();
        }
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Linked is not yet acknowledging: after a socket transfer the master streams writes to its replica
 * only once the replica's first acknowledgement has come, up to a second later. Until a WAIT is
 * answered, a decision's WAIT could time out on a replica that is merely starting.
 */
async function untilReplicaAcknowledges(masterUrl: string): Promise<void> {
  const masterClient = new Redis(masterUrl);
  try {
    for (let i = 0; i < 100; i++) {
      await masterClient.set("sentinel-test:sync-probe", String(i));
      if (Number(await masterClient.call("WAIT", "1", "200")) >= 1) break;
    }
    expect(Number(await masterClient.call("WAIT", "1", "200")), "the replica acknowledges writes").to.equal(1);
    await masterClient.del("sentinel-test:sync-probe");
  } finally {
    masterClient.disconnect();
  }
}
