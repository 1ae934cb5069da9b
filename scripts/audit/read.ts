/**
 * Reading the audit stream: a time range (`export`), following it (`tail`), and consuming it
 * through a consumer group with acknowledgements (`tail --group`).
 */
import type { Redis } from "ioredis";
import { eventLines, writeLines, type StreamEntry } from "./output.js";

/** Set by SIGINT/SIGTERM: the loops finish the batch in hand, then return. */
export interface StopSignal {
  requested: boolean;
}

/**
 * How long one read waits for new entries. It bounds how long a stop request waits, and keeps the
 * loops free of cancelled reads (an entry delivered to a cancelled read would stay pending).
 */
export const BLOCK_MS = 1000;

const MAX_SEQUENCE = "18446744073709551615";

/** The last stream id strictly before `ms`; reading after it starts at `ms`. */
function idBefore(ms: number): string {
  return ms <= 0 ? "0-0" : `${ms - 1}-${MAX_SEQUENCE}`;
}

/** Writes every entry appended in [sinceMs, untilMs), oldest first, `count` per round trip. */
export async function exportRange(redis: Redis, stream: string, sinceMs: number | undefined, untilMs: number, count: number): Promise<number> {
  if (untilMs <= 0 || (sinceMs !== undefined && sinceMs >= untilMs)) return 0;
  const end = idBefore(untilMs);
  let start = sinceMs === undefined ? "-" : `${sinceMs}-0`;
  let written = 0;
  for (;;) {
    const entries = await redis.xrange(stream, start, end, "COUNT", count);
    const lines = eventLines(entries);
    await writeLines(lines);
    written += lines.length;
    if (entries.length < count) return written;
    start = `(${entries[entries.length - 1]![0]}`;
  }
}

/** Follows the stream from `sinceMs` (or from its end) until stopped; acknowledges nothing. */
export async function follow(redis: Redis, stream: string, sinceMs: number | undefined, count: number, stop: StopSignal): Promise<void> {
  let after = sinceMs === undefined ? await lastId(redis, stream) : idBefore(sinceMs);
  while (!stop.requested) {
    const reply = await redis.xread("COUNT", count, "BLOCK", BLOCK_MS, "STREAMS", stream, after);
    const entries = entriesOf(reply);
    if (entries.length === 0) continue;
    await writeLines(eventLines(entries));
    after = entries[entries.length - 1]![0];
  }
}

async function lastId(redis: Redis, stream: string): Promise<string> {
  const [last] = await redis.xrevrange(stream, "+", "-", "COUNT", 1);
  return last === undefined ? "0-0" : last[0];
}

/** The entries of the one stream an XREAD or XREADGROUP asked for (RESP2 shape). */
export function entriesOf(reply: unknown): StreamEntry[] {
  if (!Array.isArray(reply) || reply.length === 0) return [];
  const [, entries] = reply[0] as [string, StreamEntry[]];
  return entries;
}
