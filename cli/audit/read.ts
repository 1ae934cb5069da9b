/**
 * Reading the audit streams (one per queue shard) without a consumer group: a time range
 * (`export`) and following them (`tail`), merged in stream-id order.
 */
import type { RedisClient } from "../../shared/redis/client.js";
import { BLOCK_MS, followLanes, type Lane, type StopSignal } from "./follow.js";
import { mergePages, type PagedStream } from "./merge.js";
import { eventLines, writeLines, type StreamEntry } from "./output.js";

const MAX_SEQUENCE = "18446744073709551615";

/** The last stream id strictly before `ms`; reading after it starts at `ms`. */
function idBefore(ms: number): string {
  return ms <= 0 ? "0-0" : `${ms - 1}-${MAX_SEQUENCE}`;
}

/**
 * Writes every entry appended in [sinceMs, untilMs) to any of `streams`, oldest first across them
 * (ids compared as numbers), `count` per round trip and stream.
 */
export async function exportRange(redis: RedisClient, streams: readonly string[], sinceMs: number | undefined, untilMs: number, count: number): Promise<number> {
  if (untilMs <= 0 || (sinceMs !== undefined && sinceMs >= untilMs)) return 0;
  const end = idBefore(untilMs);
  const start = sinceMs === undefined ? "-" : `${sinceMs}-0`;
  let written = 0;
  await mergePages(
    streams.map((stream) => range(redis, stream, start, end, count)),
    count,
    async (batch) => {
      const lines = eventLines(batch);
      await writeLines(lines);
      written += lines.length;
    },
  );
  return written;
}

/** `stream`'s entries in [start, end], `count` a page. */
export function range(redis: RedisClient, stream: string, start: string, end: string, count: number): PagedStream {
  let from = start;
  let done = false;
  return {
    stream,
    async next() {
      if (done) return undefined;
      const entries = (await redis.xrange(stream, from, end, "COUNT", count)) as StreamEntry[];
      if (entries.length < count) done = true;
      else from = `(${entries[entries.length - 1]![0]}`;
      return entries;
    },
  };
}

/**
 * Follows `streams` from `sinceMs` (or from their ends) until stopped, reading on `lanes`;
 * acknowledges nothing. Lines come in id order within each batch (see {@link followLanes}).
 */
export async function follow(redis: RedisClient, lanes: readonly Lane[], sinceMs: number | undefined, count: number, stop: StopSignal): Promise<void> {
  const streams = lanes.flatMap((lane) => lane.streams);
  const after = new Map(await Promise.all(streams.map(async (stream) => [stream, sinceMs === undefined ? await lastId(redis, stream) : idBefore(sinceMs)] as const)));
  await followLanes(
    lanes,
    (lane) => lane.client.xread("COUNT", count, "BLOCK", BLOCK_MS, "STREAMS", ...lane.streams, ...lane.streams.map((stream) => after.get(stream)!)),
    async (batch) => {
      await writeLines(eventLines(batch));
      for (const { stream, entry } of batch) after.set(stream, entry[0]);
    },
    stop,
  );
}

async function lastId(redis: RedisClient, stream: string): Promise<string> {
  const [last] = await redis.xrevrange(stream, "+", "-", "COUNT", 1);
  return last === undefined ? "0-0" : last[0];
}

/** The entries of the one stream an XREAD or XREADGROUP asked for (RESP2 shape). */
export function entriesOf(reply: unknown): StreamEntry[] {
  if (!Array.isArray(reply) || reply.length === 0) return [];
  const [, entries] = reply[0] as [string, StreamEntry[]];
  return entries;
}
