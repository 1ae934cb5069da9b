/**
 * Consuming the audit streams (one per queue shard) through a Redis consumer group of the same
 * name on each. Delivery is at least once: an entry is acknowledged (XACK, to the stream it came
 * from) only after its line was handed to stdout, so a consumer that dies in between leaves it
 * pending, and it is delivered again (to this consumer name on restart, or to any consumer of the
 * group through XAUTOCLAIM once it has been idle long enough).
 */
import type { RedisClient } from "../../shared/redis/client.js";
import { BLOCK_MS, followLanes, type Lane, type StopSignal } from "./follow.js";
import { compareIds, mergePages, type PagedStream } from "./merge.js";
import { eventLines, writeLines, type SourcedEntry, type StreamEntry } from "./output.js";
import { entriesOf } from "./read.js";

export interface GroupOptions {
  /** Every shard's audit stream; the group exists (or is created) on each. */
  readonly streams: readonly string[];
  readonly group: string;
  readonly consumer: string;
  /** Entries pending this long with another consumer are taken over. */
  readonly claimIdleMs: number;
  readonly count: number;
}

/**
 * Where a group created here starts: `0`, every entry the stream still holds. A consumer that wants
 * only new entries creates its group itself with `$` before the first run.
 */
const NEW_GROUP_START = "0";

/** Shortest pause between two takeover passes while following, however small `claimIdleMs` is. */
const MIN_CLAIM_INTERVAL_MS = 1000;

/**
 * Runs until stopped: first this consumer's own pending entries (a previous run under the same
 * name died before acknowledging them), then entries idle at other consumers, then new entries,
 * read on `lanes`, taking over idle entries again every `claimIdleMs`. Each step covers every
 * shard stream, in id order across them within a batch.
 */
export async function consumeGroup(redis: RedisClient, lanes: readonly Lane[], options: GroupOptions, stop: StopSignal): Promise<void> {
  const { streams, group, consumer, count } = options;
  for (const stream of streams) {
    if (!(await createGroupIfMissing(redis, stream, group))) await warnAboutTrimmedEntries(redis, stream, group);
  }
  const deliverBatch = (batch: SourcedEntry[]) => deliver(redis, group, batch);

  await mergePages(
    streams.map((stream) => ownPending(redis, stream, options)),
    count,
    deliverBatch,
    () => stop.requested,
  );

  let lastClaim = 0;
  const claimWhenDue = async () => {
    if (Date.now() - lastClaim < Math.max(options.claimIdleMs, MIN_CLAIM_INTERVAL_MS)) return;
    await mergePages(
      streams.map((stream) => idleAtOthers(redis, stream, options)),
      count,
      deliverBatch,
      () => stop.requested,
    );
    lastClaim = Date.now();
  };
  if (stop.requested) return;
  await claimWhenDue();
  if (stop.requested) return;
  await followLanes(
    lanes,
    (lane) => lane.client.xreadgroup("GROUP", group, consumer, "COUNT", count, "BLOCK", BLOCK_MS, "STREAMS", ...lane.streams, ...lane.streams.map(() => ">")),
    deliverBatch,
    stop,
    claimWhenDue,
  );
}

/** Resolves true when the group was created now, false when it existed. */
async function createGroupIfMissing(redis: RedisClient, stream: string, group: string): Promise<boolean> {
  try {
    await redis.xgroup("CREATE", stream, group, NEW_GROUP_START, "MKSTREAM");
    return true;
  } catch (error) {
    if ((error as Error).message.startsWith("BUSYGROUP")) return false;
    throw error;
  }
}

/** The entries of `stream` delivered to this consumer and not acknowledged, page by page. */
function ownPending(redis: RedisClient, stream: string, options: GroupOptions): PagedStream {
  let after = "0";
  let done = false;
  return {
    stream,
    async next() {
      if (done) return undefined;
      const entries = entriesOf(await redis.xreadgroup("GROUP", options.group, options.consumer, "COUNT", options.count, "STREAMS", stream, after));
      if (entries.length < options.count) done = true;
      else after = entries[entries.length - 1]![0];
      return entries;
    },
  };
}

/** Takes over the entries of `stream` idle for `claimIdleMs` at any consumer of the group, page by page. */
function idleAtOthers(redis: RedisClient, stream: string, options: GroupOptions): PagedStream {
  let start = "0-0";
  let done = false;
  return {
    stream,
    async next() {
      if (done) return undefined;
      const [next, claimed, deleted] = (await redis.xautoclaim(stream, options.group, options.consumer, options.claimIdleMs, start, "COUNT", options.count)) as [
        string,
        StreamEntry[],
        string[] | undefined,
      ];
      if (deleted !== undefined && deleted.length > 0) {
        process.stderr.write(`${stream}: ${deleted.length} pending audit entries were trimmed before anyone acknowledged them\n`);
      }
      start = next;
      done = next === "0-0";
      return claimed;
    },
  };
}

/**
 * Writes the batch, then acknowledges all of it, each entry to its own stream (unreadable entries
 * included: they never become readable).
 */
async function deliver(redis: RedisClient, group: string, batch: readonly SourcedEntry[]): Promise<void> {
  if (batch.length === 0) return;
  await writeLines(eventLines(batch));
  const byStream = new Map<string, string[]>();
  for (const { stream, entry } of batch) byStream.set(stream, [...(byStream.get(stream) ?? []), entry[0]]);
  await Promise.all([...byStream].map(([stream, ids]) => redis.xack(stream, group, ...ids)));
}

/**
 * Entries trimmed before the group read them are skipped silently by Redis: say so on stderr, and
 * only then. Redis 7 counts the entries a group has read (`entries-read`) and those left to deliver
 * (`lag`); a lag beyond the stream's length is the number of unread entries that were trimmed.
 * Entries deleted one by one (XDEL) break that count, but Redis keeps the highest deleted id
 * (`max-deleted-entry-id`): past the group's position, an unread entry is gone. A group that has
 * read nothing yet has no count: created at `0` it starts with the oldest entry left, and nothing
 * it was due is missing; started at a later id, whether entries after it were trimmed is unknown.
 */
async function warnAboutTrimmedEntries(redis: RedisClient, stream: string, group: string): Promise<void> {
  const info = fieldsOf(await redis.xinfo("STREAM", stream));
  const mine = ((await redis.xinfo("GROUPS", stream)) as unknown[]).map(fieldsOf).find((g) => g.get("name") === group);
  const delivered = mine?.get("last-delivered-id");
  if (mine === undefined || typeof delivered !== "string") return;
  const first = info.get("first-entry");
  const start = Array.isArray(first) && typeof first[0] === "string" ? `the stream now starts at ${first[0]}` : "the stream is now empty";
  const maxDeleted = info.get("max-deleted-entry-id");
  const length = info.get("length");
  const entriesRead = mine.get("entries-read");
  const lag = mine.get("lag");
  let missed: string | undefined;
  if (typeof maxDeleted === "string" && compareIds(maxDeleted, delivered) > 0) {
    missed = `entries it had not read were deleted (up to ${maxDeleted})`;
  } else if (typeof entriesRead === "number" && typeof lag === "number" && typeof length === "number" && lag > length) {
    const count = lag - length;
    missed = `${count} ${count === 1 ? "entry" : "entries"} appended in between ${count === 1 ? "was" : "were"} trimmed (older than the retention) before the group read them`;
  } else if (entriesRead === null && compareIds(delivered, "0-0") > 0 && Array.isArray(first) && typeof first[0] === "string" && compareIds(delivered, first[0]) < 0) {
    missed = "it has read nothing since it was set there, so Redis cannot tell whether entries appended in between were trimmed before it read them";
  }
  if (missed !== undefined) process.stderr.write(`${stream}: group "${group}" has read up to ${delivered}, but ${start}: ${missed}\n`);
}

function fieldsOf(flat: unknown): Map<string, unknown> {
  const map = new Map<string, unknown>();
  if (!Array.isArray(flat)) return map;
  for (let i = 0; i + 1 < flat.length; i += 2) map.set(String(flat[i]), flat[i + 1]);
  return map;
}
