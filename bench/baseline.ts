/**
 * What BullMQ itself costs Redis: CPU per empty job added and processed, the floor under any
 * queued design (one Redis core caps the system near 1 / this).
 */
import { Queue, Worker } from "bullmq";
import { createRedis } from "../shared/redis/client.js";
import type { RedisTarget } from "../shared/redis/url.js";
import { redisCpuSeconds } from "./redis-cpu.js";

export async function bullmqEmptyJobCpuUs(target: RedisTarget, jobs = 20_000): Promise<number> {
  // A hash tag keeps the queue in one slot on a cluster.
  const prefix = "{bench-baseline}";
  const producer = createRedis(target, "worker", { name: "bench-baseline-producer" });
  const consumer = createRedis(target, "worker", { name: "bench-baseline-consumer" });
  const queue = new Queue("empty", { connection: producer, prefix, defaultJobOptions: { removeOnComplete: true } });
  let done = 0;
  let finish: () => void = () => undefined;
  const allDone = new Promise<void>((resolve) => (finish = resolve));
  const worker = new Worker("empty", async () => undefined, { connection: consumer, prefix, concurrency: 16, autorun: false });
  worker.on("completed", () => {
    if (++done === jobs) finish();
  });
  await queue.waitUntilReady();
  const before = await redisCpuSeconds(producer);
  void worker.run();
  const inFlight = 64;
  let added = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (added < jobs) {
        added++;
        await queue.add("empty", {});
      }
    }),
  );
  await allDone;
  const after = await redisCpuSeconds(producer);
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  producer.disconnect();
  consumer.disconnect();
  return ((after - before) * 1e6) / jobs;
}
