/**
 * Preloaded into benchmarked processes (`node --import tsx --import ./bench/instrument.ts`):
 * counts Redis round trips by what they carry, and answers the benchmark's IPC questions.
 * A pipeline or MULTI/EXEC counts once, as does a script call (EVALSHA), since each is one trip.
 */
import { createHash } from "node:crypto";
import { Cluster, Pipeline, Redis } from "ioredis";

const counts = new Map<string, number>();
/** Marks what was counted: ioredis sends a command again from its offline queue, and runs a MULTI's exec twice. */
const COUNTED = Symbol("counted");
const scriptNames = new Map<string, string>();

function count(label: string): void {
  counts.set(label, (counts.get(label) ?? 0) + 1);
}

interface CommandLike {
  readonly name: string;
  readonly args: unknown[];
  [COUNTED]?: true;
}

function label(command: CommandLike): string {
  if (command.name === "evalsha") return `script:${scriptNames.get(String(command.args[0])) ?? "?"}`;
  return command.name;
}

type DefineCommand = (name: string, definition: { lua: string; numberOfKeys?: number }) => void;
// A cluster defines its scripts on itself and runs them on its nodes: both prototypes learn the names.
for (const prototype of [Redis.prototype, Cluster.prototype] as Array<{ defineCommand: DefineCommand }>) {
  const defineCommand = prototype.defineCommand;
  prototype.defineCommand = function (this: unknown, name: string, definition: { lua: string; numberOfKeys?: number }) {
    scriptNames.set(createHash("sha1").update(definition.lua).digest("hex"), name);
    return defineCommand.call(this, name, definition);
  };
}

type SendCommand = (command: CommandLike, stream?: { isPipeline?: boolean }) => unknown;
const sendCommand = Redis.prototype.sendCommand as unknown as SendCommand;
(Redis.prototype as unknown as { sendCommand: SendCommand }).sendCommand = function (this: Redis, command, stream) {
  if (stream?.isPipeline !== true && command[COUNTED] !== true) {
    command[COUNTED] = true;
    count(label(command));
  }
  return sendCommand.call(this, command, stream);
};

interface PipelineLike {
  _queue: CommandLike[];
  _transactions: number;
  [COUNTED]?: true;
}
type Exec = (this: PipelineLike, ...args: unknown[]) => Promise<unknown>;
const pipelinePrototype = Pipeline.prototype as unknown as { exec: Exec };
const exec = pipelinePrototype.exec;
pipelinePrototype.exec = function (...args) {
  // A MULTI's first exec call only appends EXEC (`_transactions` > 0); the second one sends.
  if (this._transactions === 0 && this[COUNTED] !== true) {
    this[COUNTED] = true;
    const names = this._queue.map(label).filter((name) => name !== "multi" && name !== "exec");
    count(`${this._queue.some((command) => command.name === "multi") ? "multi" : "pipeline"}[${names.join(",")}]`);
  }
  return exec.apply(this, args);
};

process.on("message", (message: unknown) => {
  if (message === "bench:stats") {
    // Memory is read after a full collection (the processes run with --expose-gc), so that two
    // readings compare what is kept, not where the collector happened to be.
    // CPU is read first: the collection is the benchmark's, not the process's work.
    const { user, system } = process.cpuUsage();
    (globalThis as { gc?: () => void }).gc?.();
    const { rss, heapUsed } = process.memoryUsage();
    process.send?.({ type: "bench:stats", roundTrips: Object.fromEntries(counts), rss, heapUsed, cpuUs: user + system, sysUs: system });
  }
});

// A benchmark that died (a crash, a kill) closes the channel: its processes go with it instead of
// lingering and taking CPU from the next run.
process.on("disconnect", () => process.exit(1));
