/**
 * A real Redis Cluster on one machine, for the tests and the benchmark: `masters * (1 +
 * replicasPerMaster)` `redis-server` processes from PATH on free loopback ports, each persisting
 * with AOF (fsync always) into its own temp dir, joined by `redis-cli --cluster create`. It answers
 * where slots live (read live from the nodes), kills a master and waits for one of its replicas to
 * take over, and `stop()` leaves no process or file.
 */
import { execFile, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { createServer } from "node:net";
import { join } from "node:path";
import { Redis } from "ioredis";
import { freePort, REDIS_INSTALL_HINT, RedisNotInstalledError, spawnRedis } from "./local-redis.js";

/** Number of hash slots in a Redis Cluster. */
export const CLUSTER_SLOTS = 16384;

export interface RedisClusterOptions {
  /** Masters, each serving an equal share of the slots (default 3, the least `redis-cli` accepts). */
  readonly masters?: number;
  /** Replicas of each master (default 1). */
  readonly replicasPerMaster?: number;
  /** `cluster-node-timeout`: how long a node may not answer before it counts as failing (default 1000). */
  readonly nodeTimeoutMs?: number;
  /** How long starting may take until every node reports `cluster_state:ok` (default 30000). */
  readonly startTimeoutMs?: number;
  /** Keep data on disk with AOF, fsync on every write (default true); the benchmark turns it off, as its one-server Redis has it off. */
  readonly persist?: boolean;
}

export type RedisClusterRole = "master" | "replica" | "killed";

export interface RedisClusterNode {
  readonly port: number;
  /** The cluster bus port (`cluster-port`). */
  readonly busPort: number;
  /** The node's cluster id (`CLUSTER MYID`). */
  readonly id: string;
  readonly process: ChildProcess;
  /** The node's own temp dir: AOF, `nodes-<port>.conf`, `redis.log`. */
  readonly dir: string;
  /** The role in the cluster as last read from it (by start, `masters()`, `killMaster`, `waitForFailover`). */
  readonly role: RedisClusterRole;
}

export interface RedisClusterMaster {
  readonly port: number;
  readonly id: string;
  /** Inclusive slot ranges, in ascending order. */
  readonly slots: Array<[number, number]>;
  /** Ports of the replicas attached to it. */
  readonly replicas: number[];
}

export interface RedisCluster {
  /** `redis+cluster://127.0.0.1:p1,127.0.0.1:p2,...`: the masters at start, as `REDIS_URL` names a cluster. */
  readonly url: string;
  /** Every node started, masters first. */
  readonly nodes: readonly RedisClusterNode[];
  /** The masters that serve slots now (read from a live node's `CLUSTER NODES`), by first slot. */
  masters(): Promise<RedisClusterMaster[]>;
  /** Port of the master that serves `slot` now. */
  masterForSlot(slot: number): Promise<number>;
  /** SIGKILLs the master on `port` and resolves once it has exited. @throws Error when it is not a live master. */
  killMaster(port: number): Promise<void>;
  /**
   * Resolves with the port of the replica that took over `oldMasterPort`'s slots, once every live node
   * sees it as their master and reports `cluster_state:ok`. @throws Error after `timeoutMs` (default 30000).
   */
  waitForFailover(oldMasterPort: number, timeoutMs?: number): Promise<number>;
  /** Kills every process and removes every temp dir; safe to call again and after kills. */
  stop(): Promise<void>;
}

/** Starting the cluster failed; whatever had been started is stopped and removed by then. */
export class RedisClusterStartError extends Error {
  override readonly name = "RedisClusterStartError";
  constructor(
    message: string,
    /** Ports of the nodes that had been started (none answers any more). */
    readonly ports: readonly number[],
    /** The temp dir that held them (removed). */
    readonly dir: string,
  ) {
    super(message);
  }
}

interface Node {
  port: number;
  busPort: number;
  id: string;
  process: ChildProcess;
  dir: string;
  role: RedisClusterRole;
}

/** One line of `CLUSTER NODES`. */
interface NodeView {
  readonly id: string;
  readonly port: number;
  readonly flags: ReadonlySet<string>;
  readonly masterId: string | undefined;
  readonly slots: Array<[number, number]>;
}

export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisCluster> {
  const masterCount = options.masters ?? 3;
  const replicasPerMaster = options.replicasPerMaster ?? 1;
  const nodeTimeoutMs = options.nodeTimeoutMs ?? 1000;
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  if (!Number.isInteger(masterCount) || masterCount < 3) throw new Error(`a Redis Cluster needs at least 3 masters (redis-cli refuses fewer), not ${masterCount}`);
  if (!Number.isInteger(replicasPerMaster) || replicasPerMaster < 0) throw new Error(`replicasPerMaster must be a whole number >= 0, not ${replicasPerMaster}`);
  if (!Number.isInteger(nodeTimeoutMs) || nodeTimeoutMs <= 0) throw new Error(`nodeTimeoutMs must be a whole number > 0, not ${nodeTimeoutMs}`);
  const deadline = Date.now() + startTimeoutMs;
  const version = redisVersion("redis-server");
  redisVersion("redis-cli");
  const ownBusPort = version[0]! >= 7; // `cluster-port` exists since 7.0; before, the bus is port + 10000

  const total = masterCount * (1 + replicasPerMaster);
  const root = mkdtempSync(join(tmpdir(), "pd-redis-cluster-"));
  const nodes: Node[] = [];
  const killAll = () => {
    for (const node of nodes) if (alive(node.process)) node.process.kill("SIGKILL");
  };
  const onExit = () => {
    killAll();
    rmSync(root, { recursive: true, force: true });
  };
  process.on("exit", onExit);
  const removeAll = async () => {
    process.off("exit", onExit);
    killAll();
    await Promise.all(nodes.map((node) => exited(node.process)));
    rmSync(root, { recursive: true, force: true });
  };

  try {
    const pickPorts = portPicker(ownBusPort);
    const pairs: Array<[number, number]> = [];
    for (let i = 0; i < total; i += 1) pairs.push(await pickPorts());
    const started = await Promise.allSettled(
      pairs.map(async ([port, busPort]) => {
        // A port free when asked may be taken before redis-server binds it: try others then.
        for (let attempt = 1; ; attempt += 1) {
          try {
            return await spawnNode(root, port, busPort, ownBusPort, nodeTimeoutMs, options.persist ?? true);
          } catch (error) {
            if (error instanceof RedisNotInstalledError || attempt === 3 || !/in use/i.test((error as Error).message)) throw error;
            [port, busPort] = await pickPorts();
          }
        }
      }),
    );
    for (const result of started) if (result.status === "fulfilled") nodes.push(result.value);
    const failed = started.find((result): result is PromiseRejectedResult => result.status === "rejected");
    if (failed !== undefined) throw failed.reason;

    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new Error(`the cluster did not become ready within ${startTimeoutMs} ms: its nodes were still starting`);
    await createCluster(
      nodes.map((node) => node.port),
      replicasPerMaster,
      remaining,
      `the cluster did not become ready within ${startTimeoutMs} ms`,
    );
    await waitUntil(deadline, `the cluster did not become ready within ${startTimeoutMs} ms`, () => readiness(nodes, masterCount, replicasPerMaster));
  } catch (error) {
    const logs = nodes.map((node) => logTail(node)).filter((tail) => tail !== "");
    await removeAll();
    if (error instanceof RedisNotInstalledError) throw error;
    const ports = nodes.map((node) => node.port);
    throw new RedisClusterStartError(
      `cannot start a Redis Cluster of ${masterCount} masters with ${replicasPerMaster} replica(s) each: ${(error as Error).message}` +
        (logs.length > 0 ? `\n${logs.join("\n")}` : ""),
      ports,
      root,
    );
  }

  const byPort = new Map(nodes.map((node) => [node.port, node]));
  /** Roles and masters as the cluster tells them now; `nodes` follows. */
  const topology = async (): Promise<NodeView[]> => {
    const views = await viewFromAnyLiveNode(nodes);
    for (const view of views) {
      const node = byPort.get(view.port);
      if (node === undefined || node.role === "killed") continue;
      if (view.flags.has("master")) node.role = "master";
      else if (view.flags.has("slave")) node.role = "replica";
    }
    return views;
  };
  const mastersOf = (views: NodeView[]): RedisClusterMaster[] =>
    views
      .filter((view) => view.flags.has("master") && !view.flags.has("fail") && view.slots.length > 0)
      .map((view) => ({
        port: view.port,
        id: view.id,
        slots: view.slots,
        replicas: views.filter((other) => other.masterId === view.id && !other.flags.has("fail")).map((other) => other.port),
      }))
      .sort((a, b) => a.slots[0]![0] - b.slots[0]![0]);

  try {
    await topology();
  } catch (error) {
    await removeAll();
    throw new RedisClusterStartError(`cannot read the new cluster's layout: ${(error as Error).message}`, nodes.map((node) => node.port), root);
  }
  nodes.sort((a, b) => (a.role === b.role ? a.port - b.port : a.role === "master" ? -1 : 1));
  const url = `redis+cluster://${nodes
    .filter((node) => node.role === "master")
    .map((node) => `127.0.0.1:${node.port}`)
    .join(",")}`;

  /** What a master looked like when `killMaster` killed it. */
  const killedMasters = new Map<number, { id: string; slots: Array<[number, number]>; replicaIds: string[] }>();
  const masterForSlot = async (slot: number): Promise<number> => {
    if (!Number.isInteger(slot) || slot < 0 || slot >= CLUSTER_SLOTS) throw new Error(`no such slot: ${slot}`);
    const masters = mastersOf(await topology());
    const master = masters.find((m) => m.slots.some(([from, to]) => from <= slot && slot <= to));
    if (master === undefined) throw new Error(`no live master serves slot ${slot}`);
    return master.port;
  };

  let stopping: Promise<void> | undefined;
  return {
    url,
    nodes,
    masters: async () => mastersOf(await topology()),
    masterForSlot,
    async killMaster(port) {
      const node = byPort.get(port);
      if (node === undefined) throw new Error(`no node of this cluster listens on ${port}`);
      if (node.role === "killed" || !alive(node.process)) throw new Error(`the node on ${port} has already been killed`);
      const views = await topology();
      const master = views.find((view) => view.port === port);
      if (master === undefined || !master.flags.has("master") || master.slots.length === 0) throw new Error(`the node on ${port} is not a master serving slots (it is ${node.role})`);
      killedMasters.set(port, {
        id: master.id,
        slots: master.slots,
        replicaIds: views.filter((view) => view.masterId === master.id).map((view) => view.id),
      });
      node.process.kill("SIGKILL");
      await exited(node.process);
      node.role = "killed";
    },
    async waitForFailover(oldMasterPort, timeoutMs = 30_000) {
      const old = killedMasters.get(oldMasterPort);
      if (old === undefined) throw new Error(`the master on ${oldMasterPort} was not killed with killMaster`);
      if (old.replicaIds.length === 0) throw new Error(`the master on ${oldMasterPort} had no replica to take over`);
      let promoted: number | undefined;
      await waitUntil(Date.now() + timeoutMs, `no replica of ${oldMasterPort} took over within ${timeoutMs} ms`, async () => {
        const live = nodes.filter((node) => node.role !== "killed");
        const states = await Promise.all(
          live.map(async (node) => {
            try {
              const [info, text] = await Promise.all([ask(node.port, "CLUSTER", "INFO"), ask(node.port, "CLUSTER", "NODES")]);
              const views = parseClusterNodes(text);
              const heir = views.find(
                (view) =>
                  old.replicaIds.includes(view.id) && view.flags.has("master") && !view.flags.has("fail") && old.slots.every(([from, to]) => view.slots.some(([a, b]) => a <= from && to <= b)),
              );
              if (heir === undefined) return { port: node.port, problem: `${node.port} sees no replica of ${oldMasterPort} serving its slots yet` };
              if (field(info, "cluster_state") !== "ok") return { port: node.port, problem: `${node.port}: cluster_state:${field(info, "cluster_state")}` };
              return { port: node.port, heir: heir.port };
            } catch (error) {
              return { port: node.port, problem: `${node.port} does not answer (${(error as Error).message})` };
            }
          }),
        );
        const problems = states.flatMap((state) => (state.problem === undefined ? [] : [state.problem]));
        if (problems.length > 0) return problems;
        const heirs = new Set(states.map((state) => state.heir));
        if (heirs.size > 1) return [`nodes disagree on who took over from ${oldMasterPort}: ${[...heirs].join(", ")}`];
        promoted = [...heirs][0];
        return [];
      });
      await topology();
      return promoted!;
    },
    stop() {
      stopping ??= removeAll();
      return stopping;
    },
  };
}

/** `[major, minor, patch]` of a Redis binary on PATH. @throws RedisNotInstalledError when it cannot be run. */
function redisVersion(binary: "redis-server" | "redis-cli"): number[] {
  const result = spawnSync(binary, ["--version"], { encoding: "utf8", timeout: 10_000 });
  if (result.error !== undefined || result.status !== 0) {
    const why = result.error?.message ?? `exit ${result.status ?? result.signal}`;
    throw new RedisNotInstalledError(`cannot run ${binary} (${why}), which a Redis Cluster test needs; ${REDIS_INSTALL_HINT}`);
  }
  const match = /(?:v=|redis-cli )(\d+)\.(\d+)\.(\d+)/.exec(result.stdout);
  return match === null ? [0, 0, 0] : match.slice(1).map(Number);
}

/** Hands out `[port, busPort]` pairs that nothing listens on and that it has not handed out before. */
function portPicker(ownBusPort: boolean): () => Promise<[number, number]> {
  const taken = new Set<number>();
  const next = async (accept: (port: number) => Promise<boolean> | boolean): Promise<number> => {
    for (let tries = 0; tries < 200; tries += 1) {
      const port = await freePort();
      if (!taken.has(port) && (await accept(port))) {
        taken.add(port);
        return port;
      }
    }
    throw new Error("cannot find free ports on 127.0.0.1");
  };
  return async () => {
    if (ownBusPort) return [await next(() => true), await next(() => true)];
    // Without `cluster-port` the bus listens on port + 10000, which must exist and be free too.
    const port = await next(async (p) => p + 10_000 <= 65_535 && !taken.has(p + 10_000) && (await portFree(p + 10_000)));
    taken.add(port + 10_000);
    return [port, port + 10_000];
  };
}

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

async function spawnNode(root: string, port: number, busPort: number, ownBusPort: boolean, nodeTimeoutMs: number, persist: boolean): Promise<Node> {
  const dir = join(root, `node-${port}`);
  mkdirSync(dir);
  const args = [
    "--cluster-enabled", "yes",
    "--cluster-config-file", join(dir, `nodes-${port}.conf`),
    "--cluster-node-timeout", String(nodeTimeoutMs),
    ...(ownBusPort ? ["--cluster-port", String(busPort)] : []),
    ...(persist ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"]),
    "--dir", dir,
    "--bind", "127.0.0.1",
    "--save", "",
    // A replica's first sync starts at once instead of after the default 5 s wait for more replicas.
    "--repl-diskless-sync-delay", "0",
    "--logfile", join(dir, "redis.log"),
  ]; // prettier-ignore
  let server;
  try {
    server = await spawnRedis(args, { port });
  } catch (error) {
    if (error instanceof RedisNotInstalledError) throw error;
    const tail = logTail({ port, dir });
    throw new Error(`redis-server on ${port} did not start: ${(error as Error).message}${tail === "" ? "" : `\n${tail}`}`);
  }
  const node: Node = { port, busPort, id: "", process: server.process, dir, role: "master" };
  try {
    node.id = String(await ask(port, "CLUSTER", "MYID"));
  } catch (error) {
    node.process.kill("SIGKILL");
    await exited(node.process);
    throw new Error(`redis-server on ${port} does not answer CLUSTER MYID: ${(error as Error).message}`);
  }
  return node;
}

/** `redis-cli --cluster create`, killed when it takes longer than `timeoutMs`. */
function createCluster(ports: number[], replicasPerMaster: number, timeoutMs: number, timedOut: string): Promise<void> {
  const args = ["--cluster", "create", ...ports.map((port) => `127.0.0.1:${port}`), "--cluster-replicas", String(replicasPerMaster), "--cluster-yes"];
  return new Promise((resolve, reject) => {
    execFile("redis-cli", args, { timeout: timeoutMs, killSignal: "SIGKILL", maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error === null) return resolve();
      const output = `${stdout}${stderr}`.trim().split("\n").slice(-8).join("\n");
      const command = `redis-cli ${args.join(" ")}`;
      const what = error.killed ? `${timedOut}: ${command} was still running` : `${command} failed (${error.message.split("\n")[0]})`;
      reject(new Error(`${what}${output === "" ? "" : `:\n${output}`}`));
    });
  });
}

/** What keeps the fresh cluster from being ready; empty once it is. */
async function readiness(nodes: Node[], masterCount: number, replicasPerMaster: number): Promise<string[]> {
  const perNode = await Promise.all(
    nodes.map(async (node): Promise<{ problems: string[]; layout?: string }> => {
      try {
        const [info, text, replication] = await Promise.all([ask(node.port, "CLUSTER", "INFO"), ask(node.port, "CLUSTER", "NODES"), ask(node.port, "INFO", "replication")]);
        const problems: string[] = [];
        if (field(info, "cluster_state") !== "ok") problems.push(`${node.port}: cluster_state:${field(info, "cluster_state")}`);
        const views = parseClusterNodes(text);
        if (views.length !== nodes.length) problems.push(`${node.port} knows ${views.length} of ${nodes.length} nodes`);
        const unsettled = views.filter((view) => ["fail", "fail?", "handshake", "noaddr"].some((flag) => view.flags.has(flag)));
        if (unsettled.length > 0) problems.push(`${node.port} sees ${unsettled.map((view) => `${view.port} as ${[...view.flags].join(",")}`).join("; ")}`);
        const masters = views.filter((view) => view.flags.has("master") && view.slots.length > 0);
        if (masters.length !== masterCount) problems.push(`${node.port} sees ${masters.length} of ${masterCount} masters`);
        for (const master of masters) {
          const replicas = views.filter((view) => view.masterId === master.id).length;
          if (replicas !== replicasPerMaster) problems.push(`${node.port} sees ${replicas} of ${replicasPerMaster} replicas of ${master.port}`);
        }
        const role = field(replication, "role");
        if (role === "master" && masters.some((master) => master.id === node.id)) {
          const online = replication.split("\n").filter((line) => /^slave\d+:/.test(line) && line.includes("state=online")).length;
          if (online !== replicasPerMaster) problems.push(`${node.port} has ${online} of ${replicasPerMaster} replicas in sync`);
        } else if (role === "slave") {
          if (field(replication, "master_link_status") !== "up") problems.push(`${node.port}: master_link_status:${field(replication, "master_link_status")}`);
        } else {
          problems.push(`${node.port} is a ${role} without slots`);
        }
        const layout = masters
          .map((master) => `${master.id}=${master.slots.map(([from, to]) => `${from}-${to}`).join(",")}`)
          .sort()
          .join(" ");
        return { problems, layout };
      } catch (error) {
        return { problems: [`${node.port} does not answer (${(error as Error).message})`] };
      }
    }),
  );
  const problems = perNode.flatMap((result) => result.problems);
  if (problems.length === 0 && new Set(perNode.map((result) => result.layout)).size > 1) problems.push("nodes disagree on which master serves which slots");
  return problems;
}

/** `CLUSTER NODES` as some live node sees it. */
async function viewFromAnyLiveNode(nodes: Node[]): Promise<NodeView[]> {
  const errors: string[] = [];
  for (const node of nodes) {
    if (node.role === "killed" || !alive(node.process)) continue;
    try {
      return parseClusterNodes(await ask(node.port, "CLUSTER", "NODES"));
    } catch (error) {
      errors.push(`${node.port}: ${(error as Error).message}`);
    }
  }
  throw new Error(`no node of the cluster answers CLUSTER NODES${errors.length > 0 ? ` (${errors.join("; ")})` : ""}`);
}

/** Lines of `CLUSTER NODES`: `<id> <ip:port@cport[,hostname]> <flags> <master|-> <ping> <pong> <epoch> <link> <slot>...`. */
function parseClusterNodes(text: string): NodeView[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .map((line) => {
      const [id = "", address = "", flags = "", master = "-", , , , , ...slots] = line.split(" ");
      const hostPort = address.split("@")[0] ?? "";
      return {
        id,
        port: Number(hostPort.slice(hostPort.lastIndexOf(":") + 1)),
        flags: new Set(flags.split(",")),
        masterId: master === "-" ? undefined : master,
        slots: slots
          .filter((slot) => !slot.startsWith("[")) // "[slot->-id]" / "[slot-<-id]": migrating or importing
          .map((slot): [number, number] => {
            const [from, to = from] = slot.split("-").map(Number) as [number, number?];
            return [from, to];
          })
          .sort((a, b) => a[0] - b[0]),
      };
    });
}

/** Repeats `check` until it reports no problem. @throws Error with `message` and its last problems at `deadline`. */
async function waitUntil(deadline: number, message: string, check: () => Promise<string[]>): Promise<void> {
  let problems: string[] = [];
  for (;;) {
    problems = await check();
    if (problems.length === 0) return;
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(100, deadline - Date.now()))));
  }
  throw new Error(`${message}: ${problems.slice(0, 12).join("; ")}${problems.length > 12 ? `; and ${problems.length - 12} more` : ""}`);
}

/** One command on a short-lived connection to the node on `port`. */
async function ask(port: number, command: string, ...args: string[]): Promise<string> {
  const client = new Redis({
    host: "127.0.0.1",
    port,
    lazyConnect: true,
    enableOfflineQueue: false,
    enableReadyCheck: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1000,
    commandTimeout: 2000,
  });
  client.on("error", () => undefined);
  try {
    await client.connect();
    return String(await client.call(command, args));
  } finally {
    client.disconnect();
  }
}

/** `name:value` out of an INFO-style reply. */
function field(info: string, name: string): string | undefined {
  return new RegExp(`^${name}:(.*)$`, "m").exec(info)?.[1]?.trim();
}

function alive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (!alive(child)) return resolve();
    child.once("exit", () => resolve());
  });
}

function logTail(node: { port: number; dir: string }): string {
  try {
    const lines = readFileSync(join(node.dir, "redis.log"), "utf8").trim().split("\n").slice(-3);
    return lines.map((line) => `  [${node.port}] ${line}`).join("\n");
  } catch {
    return "";
  }
}
