/**
 * Which end of its shard's queue a sign job joins. First in, first out normally; newest first
 * (BullMQ `lifo`: an RPUSH onto the end workers pop from) while the shard holds a backlog, as after
 * an outage, when the jobs waiting are mostly ones whose callers gave up long ago: a fresh request
 * then goes ahead of them instead of waiting for them to drain. Below the threshold a new job waits
 * behind at most that many (cheap) jobs, and a burst is served in arrival order.
 */
import type { Queue } from "bullmq";
import type { Logger } from "../shared/runtime/log.js";

/** Jobs waiting in one shard's queue from which new jobs are served newest first (until half as many are left). */
export const LIFO_BACKLOG = 100;
/** How often each shard's waiting jobs are counted. */
export const BACKLOG_SAMPLE_MS = 100;

export interface BacklogOrder {
  /** Whether a job for shard `index` should be served newest first now. */
  lifo(index: number): boolean;
  stop(): void;
}

/** Counts each queue's waiting jobs every {@link BACKLOG_SAMPLE_MS} (one LLEN each), one round at a time. */
export function backlogOrder(queues: readonly Queue[], log: Logger): BacklogOrder {
  const backlogged = queues.map(() => false);
  let running = true;
  let timer: NodeJS.Timeout | undefined;
  const sample = async () => {
    await Promise.all(
      queues.map(async (queue, index) => {
        const waiting = await queue.getWaitingCount();
        // Back in order only once half the threshold is left: a queue hovering around it does not flap.
        const now = backlogged[index] ? waiting >= LIFO_BACKLOG / 2 : waiting >= LIFO_BACKLOG;
        if (now !== backlogged[index]) log.info({ shard: index, waiting }, now ? "backlog: new sign jobs served newest first" : "backlog gone: sign jobs served in order");
        backlogged[index] = now;
      }),
    ).catch(() => undefined); // Redis is unreachable: keep the last order; jobs cannot be added anyway.
    if (running) timer = setTimeout(() => void sample(), BACKLOG_SAMPLE_MS);
  };
  void sample();
  return {
    lifo: (index) => backlogged[index] === true,
    stop() {
      running = false;
      clearTimeout(timer);
    },
  };
}
