/**
 * Checkpoints that vanished from under their sealer. A sealer remembers the last few checkpoints it
 * wrote. When the seals stream no longer ends at the newest of them but at an earlier one (a master
 * that took the later ones died before its replica had them, or someone removed them), and every
 * entry those later checkpoints cover is still there, unchanged, they are found here so that the
 * sealer appends them again as they were: the chain goes on whole, and nothing is re-signed. When
 * an entry they cover is gone or changed, they are not restored: the gap then shows in `verify` as
 * the loss it is.
 */
import { canonicalFields, digestOf, IntervalHash, type Checkpoint } from "../shared/domain/seal.js";
import type { RedisClient } from "../shared/redis/client.js";
import { entriesBetween, type StoredCheckpoint } from "../shared/redis/seal-store.js";

/** Checkpoints a sealer remembers per stream: far more intervals than a failover takes. */
export const REMEMBERED_CHECKPOINTS = 64;

/**
 * The remembered checkpoints after `last` (the one the seals stream ends at now; undefined when it
 * holds none), oldest first, when `last` is one of `remembered` and the entries they cover are
 * intact; undefined otherwise (nothing to restore, or nothing that may be).
 */
export async function restorableCheckpoints(redis: RedisClient, stream: string, remembered: readonly StoredCheckpoint[], last: StoredCheckpoint | undefined): Promise<Checkpoint[] | undefined> {
  let at = -1;
  if (last === undefined) {
    // The whole seals stream is gone: restorable only from the stream's first checkpoint on.
    if (remembered[0]?.checkpoint.seq !== 1) return undefined;
  } else {
    at = remembered.findIndex((r) => r.sealId === last.sealId);
    if (at === -1 || digestOf(remembered[at]!.checkpoint) !== digestOf(last.checkpoint)) return undefined;
  }
  const lost = remembered.slice(at + 1).map((r) => r.checkpoint);
  if (lost.length === 0) return undefined;
  for (const checkpoint of lost) if (!(await coversIntact(redis, stream, checkpoint))) return undefined;
  return lost;
}

/** Whether the stream still holds exactly the entries `checkpoint` covers, as they were sealed. */
async function coversIntact(redis: RedisClient, stream: string, checkpoint: Checkpoint): Promise<boolean> {
  const interval = new IntervalHash(checkpoint.prev, false);
  if (checkpoint.lastId !== checkpoint.after) {
    for await (const page of entriesBetween(redis, stream, checkpoint.after, checkpoint.lastId)) {
      for (const [id, fields] of page) interval.add(id, canonicalFields(fields));
    }
  }
  return interval.count === checkpoint.count && interval.digest().hash === checkpoint.hash;
}
