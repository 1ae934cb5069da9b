/**
 * Reading a sealed audit stream and its checkpoints from Redis in bounded pages (never one huge
 * XRANGE), for the sealer and for `npm run audit -- verify`.
 */
import type { RedisClient } from "./client.js";
import { parseCheckpoint, SEAL_FIELD, sealsKeyOf, type Checkpoint } from "../domain/seal.js";

/** Entries per XRANGE page. */
export const SEAL_PAGE = 1000;

export type RawEntry = [id: string, fields: string[]];

/** The entries with ids in (`after`, `upTo`] (`upTo` "+" for the end), oldest first, a page at a time. */
export async function* entriesBetween(redis: RedisClient, stream: string, after: string, upTo = "+", page = SEAL_PAGE): AsyncGenerator<RawEntry[]> {
  let from = after === "0-0" ? "-" : `(${after}`;
  for (;;) {
    const entries = (await redis.xrange(stream, from, upTo, "COUNT", page)) as RawEntry[];
    if (entries.length > 0) yield entries;
    if (entries.length < page) return;
    from = `(${entries[entries.length - 1]![0]}`;
  }
}

/** A checkpoint and its id in the seals stream. */
export interface StoredCheckpoint {
  readonly sealId: string;
  readonly checkpoint: Checkpoint;
}

function stored([sealId, fields]: RawEntry): StoredCheckpoint {
  const i = fields.indexOf(SEAL_FIELD);
  if (i === -1 || i % 2 !== 0) throw new Error(`seal ${sealId} has no "${SEAL_FIELD}" field`);
  return { sealId, checkpoint: parseCheckpoint(fields[i + 1]!) };
}

/** Every checkpoint of `stream`, oldest first, a page at a time (unreadable ones throw, naming their id). */
export async function* checkpointsOf(redis: RedisClient, stream: string, page = SEAL_PAGE): AsyncGenerator<StoredCheckpoint | { sealId: string; problem: string }> {
  for await (const entries of entriesBetween(redis, sealsKeyOf(stream), "0-0", "+", page)) {
    for (const entry of entries) {
      try {
        yield stored(entry);
      } catch (error) {
        yield { sealId: entry[0], problem: (error as Error).message };
      }
    }
  }
}

/** The newest checkpoint of `stream`, or undefined when it has none. */
export async function lastCheckpoint(redis: RedisClient, stream: string): Promise<StoredCheckpoint | undefined> {
  const [last] = (await redis.xrevrange(sealsKeyOf(stream), "+", "-", "COUNT", 1)) as RawEntry[];
  return last === undefined ? undefined : stored(last);
}

/** The id of the newest entry of `stream`, or undefined when it is empty. */
export async function lastEntryId(redis: RedisClient, stream: string): Promise<string | undefined> {
  const [last] = (await redis.xrevrange(stream, "+", "-", "COUNT", 1)) as RawEntry[];
  return last?.[0];
}
