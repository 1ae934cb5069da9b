/**
 * Following several shard streams with blocking reads (XREAD or XREADGROUP with BLOCK), and handing
 * on what arrives in stream-id order.
 *
 * Connections ("lanes"): on one server (or behind Sentinel) one extra connection reads every shard
 * stream in one command. A cluster refuses one command over keys of different slots (CROSSSLOT),
 * even when one node holds them, and a connection blocked in XREAD holds every later command on it
 * until the BLOCK ends; so reading several streams over one connection per node would wait out
 * each stream's BLOCK in turn. There, each stream gets its own cluster client instead: a few more
 * connections (a CLI reads at most `QUEUE_SHARDS` streams), but each read waits only for its own
 * stream, and ioredis keeps routing it by slot and following MOVED after a failover or resharding,
 * which a connection pinned to one node by hand would not. The main connection stays free for
 * XACK, XAUTOCLAIM and XINFO meanwhile.
 */
import { Cluster } from "ioredis";
import type { RedisClient } from "../../shared/redis/client.js";
import type { RedisTarget } from "../../shared/redis/url.js";
import { sortById } from "./merge.js";
import type { SourcedEntry, StreamEntry } from "./output.js";
import { duplicate } from "../redis.js";

/** Set by SIGINT/SIGTERM: the loops finish the batch in hand, then return. */
export interface StopSignal {
  requested: boolean;
}

/**
 * How long one read waits for new entries. It bounds how long a stop request waits, and keeps the
 * loops free of cancelled reads (an entry delivered to a cancelled read would stay pending).
 */
export const BLOCK_MS = 1000;

/** A connection that serves only blocking reads of `streams`. */
export interface Lane {
  readonly client: RedisClient;
  readonly streams: readonly string[];
}

/** Opens the lanes that read `streams` (see the module comment); all of them, or none. */
export async function openLanes(main: RedisClient, target: RedisTarget, streams: readonly string[], name: string): Promise<Lane[]> {
  const groups = main instanceof Cluster ? streams.map((stream) => [stream]) : [streams];
  const opened = await Promise.allSettled(groups.map(async (group) => ({ client: await duplicate(main, target, name), streams: group })));
  const lanes = opened.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
  const failed = opened.find((result): result is PromiseRejectedResult => result.status === "rejected");
  if (failed !== undefined) {
    closeLanes(lanes);
    throw failed.reason;
  }
  return lanes;
}

export function closeLanes(lanes: readonly Lane[]): void {
  for (const lane of lanes) lane.client.disconnect();
}

/** Every stream's entries in an XREAD or XREADGROUP reply (RESP2 shape); none on a timeout. */
export function streamsOf(reply: unknown): Array<[stream: string, entries: StreamEntry[]]> {
  return Array.isArray(reply) ? (reply as Array<[string, StreamEntry[]]>) : [];
}

/**
 * Keeps one `read` in flight on every lane until stopped. Whenever reads come back, `handle` gets
 * the entries of all that have come back by then, sorted by id, and those lanes read again once it
 * is done: order is strict within a shard stream, and by time within each batch across them (an
 * entry of one shard may reach a later batch than a younger entry of another). `between` runs
 * between batches, while the reads wait. After a stop, the reads in flight (each ends within its
 * BLOCK) are handled, then it returns. The first failed read is thrown.
 */
export async function followLanes(
  lanes: readonly Lane[],
  read: (lane: Lane) => Promise<unknown>,
  handle: (batch: SourcedEntry[]) => Promise<void>,
  stop: StopSignal,
  between: () => Promise<void> = async () => {},
): Promise<void> {
  type Outcome = { readonly lane: Lane; readonly reply?: unknown; readonly error?: unknown };
  const arrived: Outcome[] = [];
  let inFlight = 0;
  let wake: (() => void) | undefined;
  const issue = (lane: Lane) => {
    inFlight += 1;
    void read(lane)
      .then(
        (reply): Outcome => ({ lane, reply }),
        (error: unknown): Outcome => ({ lane, error: error ?? new Error("read failed") }),
      )
      .then((outcome) => {
        inFlight -= 1;
        arrived.push(outcome);
        wake?.();
      });
  };
  for (const lane of lanes) issue(lane);

  while (inFlight > 0 || arrived.length > 0) {
    if (!stop.requested) await between();
    if (arrived.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    wake = undefined;
    const outcomes = arrived.splice(0).sort((a, b) => lanes.indexOf(a.lane) - lanes.indexOf(b.lane));
    const failed = outcomes.find((outcome) => outcome.error !== undefined);
    if (failed !== undefined) throw failed.error;
    const batch = outcomes.flatMap(({ reply }) => streamsOf(reply).flatMap(([stream, entries]) => entries.map((entry) => ({ stream, entry }))));
    if (batch.length > 0) await handle(sortById(batch));
    if (!stop.requested) for (const { lane } of outcomes) issue(lane);
  }
}
