/**
 * Putting the entries of several shard streams into one order: by stream id, that is by when each
 * entry was appended (`<ms>-<seq>`), as if the shards were one stream.
 */
import type { SourcedEntry, StreamEntry } from "./output.js";

/** Orders stream ids (`<ms>-<seq>`) as Redis does; both parts may exceed 2^53, so as BigInt. */
export function compareIds(a: string, b: string): number {
  const [am = 0n, as = 0n] = a.split("-").map(BigInt);
  const [bm = 0n, bs = 0n] = b.split("-").map(BigInt);
  return am !== bm ? (am < bm ? -1 : 1) : as === bs ? 0 : as < bs ? -1 : 1;
}

/**
 * Sorts entries of several streams by id, in place. Within one stream they stay in order (its ids
 * only grow); equal ids of two streams keep the order they came in (the sort is stable).
 */
export function sortById(entries: SourcedEntry[]): SourcedEntry[] {
  return entries.sort((a, b) => compareIds(a.entry[0], b.entry[0]));
}

/** One stream read oldest first, a page at a time; `next` resolves undefined once nothing is left. */
export interface PagedStream {
  readonly stream: string;
  next(): Promise<StreamEntry[] | undefined>;
}

interface Head {
  readonly source: PagedStream;
  page: StreamEntry[];
  at: number;
  done: boolean;
}

/**
 * Reads every source to its end and hands `emit` the entries merged in id order, in batches of at
 * most `batchSize`, each after the previous one was handled. Holds one page per source. Returns
 * early, after a batch, once `stopped()` says so.
 */
export async function mergePages(sources: readonly PagedStream[], batchSize: number, emit: (batch: SourcedEntry[]) => Promise<void>, stopped = () => false): Promise<void> {
  const heads: Head[] = sources.map((source) => ({ source, page: [], at: 0, done: false }));
  // A page may be empty without being the last (XAUTOCLAIM scans a bounded part of the pending list).
  const refill = async (head: Head) => {
    while (head.at >= head.page.length && !head.done) {
      const page = await head.source.next();
      if (page === undefined) head.done = true;
      else [head.page, head.at] = [page, 0];
    }
  };
  await Promise.all(heads.map(refill));
  let batch: SourcedEntry[] = [];
  for (;;) {
    let first: Head | undefined;
    for (const head of heads) {
      if (head.at < head.page.length && (first === undefined || compareIds(head.page[head.at]![0], first.page[first.at]![0]) < 0)) first = head;
    }
    if (first === undefined) break;
    batch.push({ stream: first.source.stream, entry: first.page[first.at++]! });
    if (batch.length >= batchSize) {
      await emit(batch);
      batch = [];
      if (stopped()) return;
    }
    // Its next entry may come before the other heads: nothing is taken before it is known.
    await refill(first);
  }
  if (batch.length > 0) await emit(batch);
}
