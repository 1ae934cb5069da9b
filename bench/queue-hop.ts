/**
 * The queue hop alone, at one request in flight: the time from enqueueing a job to its reply
 * arriving on a pub/sub channel, with a consumer in a process of its own that does nothing but
 * publish the reply. Three queues, alternated in rounds like the load levels:
 * - BullMQ as the service runs it (`Queue.add` with the sign job's options, a `Worker` at the
 *   benchmark's concurrency);
 * - BullMQ with a worker that runs one job at a time (it skips the fetches a free slot makes at once);
 * - a one-command list queue (LPUSH; BLMPOP takes whatever is waiting): the floor under any queue
 *   on this Redis.
 * Beside the one-connection rows of the load table it tells how much of the queued path's extra
 * latency the hop is, and how much of it is BullMQ's (`--hops N`). Then the same hops with 64 in
 * flight: their rate and their CPU (the producer's, the consumer's and Redis's) per hop, beside the
 * queued system's extra CPU per request at 64 connections.
 */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { SIGN_JOB_OPTIONS } from "../shared/domain/job.js";
import { redisCpuSeconds } from "./redis-cpu.js";
import { median, quantile } from "./stats.js";

interface Kind {
  readonly name: string;
  /** BullMQ worker concurrency; undefined for the list queue. */
  readonly concurrency?: number;
  readonly key: string;
}

export interface HopResult {
  readonly name: string;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  /** Medians of the rounds' p50s, lowest and highest. */
  readonly p50Range: { readonly min: number; readonly max: number };
  /** With {@link IN_FLIGHT} hops in flight: hops a second and CPU µs per hop, by where it was spent. */
  readonly loaded: { readonly rate: number; readonly producerUs: number; readonly consumerUs: number; readonly redisUs: number };
}

const IN_FLIGHT = 64;

const REPLIES = "bench-hop:replies";
const ROUNDS = 4;
/** What a sign job carries, in size and shape (ids and primitives). */
const DATA = {
  requestId: "3f2c9a4e-8b1d-4c6e-9f7a-2d5b8e1c0a93",
  actor: { type: "user", id: "u-000123" },
  app: "email",
  type: "attachment.inbound",
  altId: "7b6c5fff-036e-4a40-b68a-a67c592fc079",
  requestedExpiry: null,
  deadline: 0,
  replyTo: "0b8c6a52-4d7e-4f1a-9c3e-5a2b7d9e1f04",
  client: { ip: "127.0.0.1", userAgent: "autocannon" },
};

function kindsFor(concurrency: number): Kind[] {
  return [
    { name: `BullMQ, worker concurrency ${concurrency} (as benchmarked)`, concurrency, key: "{bench-hop-a}" },
    { name: "BullMQ, worker concurrency 1", concurrency: 1, key: "{bench-hop-b}" },
    { name: "one-command list queue (LPUSH, BLMPOP)", key: "{bench-hop-c}:list" },
  ];
}

/** The consumer: started in a process of its own with the kind as JSON in argv. */
async function consume(redisUrl: string, kind: Kind): Promise<void> {
  process.on("disconnect", () => process.exit(0));
  const publisher = new Redis(redisUrl);
  if (kind.concurrency !== undefined) {
    const worker = new Worker(
      "hop",
      async (job) => {
        await publisher.publish(REPLIES, job.id!);
        return "issued";
      },
      { connection: new Redis(redisUrl, { maxRetriesPerRequest: null }), prefix: kind.key, concurrency: kind.concurrency, removeOnComplete: { count: 0 } },
    );
    await worker.waitUntilReady();
  } else {
    // Whatever is waiting, up to one batch, in one command; the replies in one pipeline.
    const blocking = new Redis(redisUrl);
    void (async () => {
      for (;;) {
        const popped = (await blocking.call("BLMPOP", "5", "1", kind.key, "RIGHT", "COUNT", String(IN_FLIGHT))) as [string, string[]] | null;
        if (popped === null) continue;
        const replies = publisher.pipeline();
        for (const entry of popped[1]) replies.publish(REPLIES, (JSON.parse(entry) as { id: string }).id);
        await replies.exec();
      }
    })();
  }
  process.on("message", (message: unknown) => {
    if (message !== "cpu") return;
    const { user, system } = process.cpuUsage();
    process.send!({ cpuUs: user + system });
  });
  process.send!("ready");
}

function consumerCpuUs(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.once("message", (message: { cpuUs: number }) => resolve(message.cpuUs));
    child.send("cpu");
  });
}

export async function queueHopBench(options: { readonly redisUrl: string; readonly hops: number; readonly concurrency: number }): Promise<HopResult[]> {
  const kinds = kindsFor(options.concurrency);
  const children: ChildProcess[] = kinds.map((kind) => fork(fileURLToPath(import.meta.url), ["consumer", options.redisUrl, JSON.stringify(kind)], { stdio: ["ignore", "ignore", "inherit", "ipc"] }));
  const commands = new Redis(options.redisUrl);
  const subscriber = new Redis(options.redisUrl);
  const queues = kinds.map((kind) => (kind.concurrency === undefined ? undefined : new Queue("hop", { connection: commands, prefix: kind.key })));
  try {
    await Promise.all(children.map((child) => new Promise((resolve, reject) => child.once("message", resolve).once("exit", () => reject(new Error("a queue-hop consumer exited"))))));
    const waits = new Map<string, () => void>();
    await subscriber.subscribe(REPLIES);
    subscriber.on("message", (_channel: string, id: string) => {
      waits.get(id)?.();
      waits.delete(id);
    });
    let sequence = 0;
    const hop = async (index: number): Promise<number> => {
      const id = `hop-${sequence++}`;
      const replied = new Promise<void>((resolve) => waits.set(id, resolve));
      const started = performance.now();
      const data = { ...DATA, deadline: Date.now() + 10_000 };
      const queue = queues[index];
      if (queue === undefined) await commands.lpush(kinds[index]!.key, JSON.stringify({ id, data }));
      else await queue.add("sign", data, { ...SIGN_JOB_OPTIONS, jobId: id });
      await replied;
      return performance.now() - started;
    };
    // Warm-up, then rounds alternating which queue goes first.
    for (let index = 0; index < kinds.length; index++) for (let i = 0; i < 300; i++) await hop(index);
    const latencies: number[][] = kinds.map(() => []);
    const roundP50s: number[][] = kinds.map(() => []);
    const perRound = Math.max(1, Math.ceil(options.hops / ROUNDS));
    for (let round = 0; round < ROUNDS; round++) {
      const order = kinds.map((_, index) => index);
      if (round % 2 === 1) order.reverse();
      for (const index of order) {
        const these: number[] = [];
        for (let i = 0; i < perRound; i++) these.push(await hop(index));
        latencies[index]!.push(...these);
        roundP50s[index]!.push(median(these));
      }
    }
    // With many in flight: what a hop costs in CPU where a queue is busy.
    const loaded: HopResult["loaded"][] = [];
    for (let index = 0; index < kinds.length; index++) {
      const total = Math.max(options.hops, 4 * IN_FLIGHT);
      const [producer, consumer, redis, started] = [process.cpuUsage(), await consumerCpuUs(children[index]!), await redisCpuSeconds(commands), performance.now()];
      let left = total;
      await Promise.all(
        Array.from({ length: IN_FLIGHT }, async () => {
          while (left > 0) {
            left--;
            await hop(index);
          }
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      const used = process.cpuUsage(producer);
      loaded.push({
        rate: total / seconds,
        producerUs: (used.user + used.system) / total,
        consumerUs: ((await consumerCpuUs(children[index]!)) - consumer) / total,
        redisUs: (((await redisCpuSeconds(commands)) - redis) * 1e6) / total,
      });
    }
    return kinds.map((kind, index) => {
      const sorted = [...latencies[index]!].sort((a, b) => a - b);
      return { name: kind.name, p50: median(sorted), p90: quantile(sorted, 0.9), p99: quantile(sorted, 0.99), p50Range: { min: Math.min(...roundP50s[index]!), max: Math.max(...roundP50s[index]!) }, loaded: loaded[index]! };
    });
  } finally {
    for (const child of children) child.kill("SIGKILL");
    await Promise.all(queues.map((queue) => queue?.obliterate({ force: true }).catch(() => undefined)));
    await Promise.all(queues.map((queue) => queue?.close()));
    await commands.del(kinds[2]!.key);
    commands.disconnect();
    subscriber.disconnect();
  }
}

const ms = (value: number) => value.toFixed(2);

export function queueHopReport(results: readonly HopResult[], hops: number): string {
  const us = (value: number) => value.toFixed(0);
  const rows = results.map((r) => {
    const { rate, producerUs, consumerUs, redisUs } = r.loaded;
    return `| ${r.name} | ${ms(r.p50)} (${ms(r.p50Range.min)}–${ms(r.p50Range.max)}) | ${ms(r.p90)} | ${ms(r.p99)} | ${rate.toFixed(0)} | ${us(producerUs + consumerUs + redisUs)} (producer ${us(producerUs)}, consumer ${us(consumerUs)}, Redis ${us(redisUs)}) |`;
  });
  return [
    `\n## The queue hop alone (${hops} hops each; enqueue to reply, the consumer only publishes): at one in flight, ${ROUNDS} alternating rounds; then ${IN_FLIGHT} in flight`,
    `| queue | p50 ms at 1 (rounds' p50s) | p90 ms | p99 ms | hops/s at ${IN_FLIGHT} | CPU µs/hop at ${IN_FLIGHT} |`,
    "|---|---|---|---|---|---|",
    ...rows,
  ].join("\n");
}

if (process.argv[2] === "consumer") void consume(process.argv[3]!, JSON.parse(process.argv[4]!) as Kind);
