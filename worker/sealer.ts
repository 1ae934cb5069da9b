/**
 * The audit sealer: with `AUDIT_SEAL_KEY_FILE`, one worker at a time per audit stream (the holder
 * of `<stream>:sealer`, a lock renewed every interval and taken over when it expires) appends a
 * signed checkpoint to `<stream>:seals` every `AUDIT_SEAL_INTERVAL_SECONDS`, empty intervals too.
 * It runs on a connection of its own, off the request path, reading entries in bounded pages.
 *
 * While it holds a stream's lock the sealer chains from the last checkpoint it wrote itself, not
 * from what Redis holds: checkpoints removed behind its back then show as a gap in the chain, unless
 * the entries they cover are all still there, unchanged: then it appends them again as they were
 * (see seal-restore.ts), which is what a failover that lost the last checkpoints before the replica
 * had them needs.
 *
 * With sealing on, the sealer also applies `AUDIT_RETENTION_DAYS`: it trims whole sealed intervals
 * only (the settle script then trims nothing), keeping the checkpoint of the last trimmed one as the
 * anchor the remaining chain starts from.
 */
import { randomUUID } from "node:crypto";
import { closeRedis, createRedis, type RedisClient, type RedisOptions } from "../shared/redis/client.js";
import { keysFor } from "../shared/redis/keys.js";
import type { Config } from "../shared/runtime/config.js";
import { entriesBetween, lastCheckpoint, lastEntryId, SEAL_PAGE, type StoredCheckpoint } from "../shared/redis/seal-store.js";
import { REMEMBERED_CHECKPOINTS, restorableCheckpoints } from "./seal-restore.js";
import { appendCheckpoint, holdSealerLock, releaseSealerLock } from "../shared/redis/scripts.js";
import {
  canonicalFields,
  compareStreamIds,
  digestOf,
  GENESIS,
  IntervalHash,
  msOfStreamId,
  nextStreamId,
  parseCheckpoint,
  SEAL_FIELD,
  sealerLockKeyOf,
  sealsKeyOf,
  signCheckpoint,
  STREAM_START,
  type Checkpoint,
  type SealKey,
} from "../shared/domain/seal.js";
import type { Logger } from "../shared/runtime/log.js";
import { throttledLog } from "../shared/runtime/throttled-log.js";

/** A sealer's lock lives this many intervals: a dead holder is replaced within about as many. */
export const SEALER_LOCK_INTERVALS = 3;
/** The lock is renewed every this many pages of a long read, so a big first seal keeps it. */
const RENEW_EVERY_PAGES = 10;
const DAY_MS = 24 * 3600 * 1000;
/** The longest a stopping sealer waits for its connection to close. */
const CLOSE_MS = 2000;

export interface SealerOptions {
  /** A connection of the sealer's own. */
  readonly redis: RedisClient;
  /** Every shard's audit stream. */
  readonly streams: readonly string[];
  readonly key: SealKey;
  readonly intervalSeconds: number;
  /** Redis's clock: checkpoint times and the retention window follow it. */
  readonly clock: { now(): number };
  /** `AUDIT_RETENTION_DAYS`: whole sealed intervals older than this are trimmed. */
  readonly retentionDays: number;
  readonly log: Logger;
}

export interface Sealer {
  /** Seals every stream whose lock this sealer holds or takes, now (the timer does it every interval). */
  sealNow(): Promise<void>;
  /** Stops the timer, waits for a seal in progress, and gives up the locks. */
  stop(): Promise<void>;
}

/** Where the chain of a stream stands: what the next checkpoint follows. */
interface Head {
  readonly seq: number;
  readonly digest: string;
  readonly lastId: string;
  /** The id of that checkpoint in the seals stream; "" before the first. */
  readonly sealId: string;
  /** The last checkpoints chained here, that one last (at most {@link REMEMBERED_CHECKPOINTS}). */
  readonly recent: readonly StoredCheckpoint[];
}

const START: Head = { seq: 0, digest: GENESIS, lastId: STREAM_START, sealId: "", recent: [] };

function headOf(stored: StoredCheckpoint): Head {
  const { sealId, checkpoint } = stored;
  return { seq: checkpoint.seq, digest: digestOf(checkpoint), lastId: checkpoint.lastId, sealId, recent: [stored] };
}

/** The head after appending `checkpoint` as `sealId`. */
function chained(head: Head, sealId: string, checkpoint: Checkpoint): Head {
  return { seq: checkpoint.seq, digest: digestOf(checkpoint), lastId: checkpoint.lastId, sealId, recent: [...head.recent, { sealId, checkpoint }].slice(-REMEMBERED_CHECKPOINTS) };
}

export function startSealer(options: SealerOptions): Sealer {
  const { redis, key, log } = options;
  const token = randomUUID();
  const intervalMs = options.intervalSeconds * 1000;
  const ttlMs = SEALER_LOCK_INTERVALS * intervalMs;
  const heads = new Map<string, Head>();
  const noisy = throttledLog(log);

  const hold = (stream: string) => holdSealerLock(redis, { lock: sealerLockKeyOf(stream), token, ttlMs });

  async function seal(stream: string): Promise<Checkpoint | undefined> {
    if (!(await hold(stream))) {
      heads.delete(stream);
      return undefined;
    }
    let head = heads.get(stream);
    if (head === undefined) {
      const stored = await lastCheckpoint(redis, stream);
      head = stored === undefined ? START : headOf(stored);
      log.info({ stream, seq: head.seq }, "sealing the audit stream");
    } else if (((await lastEntryId(redis, sealsKeyOf(stream))) ?? "") !== head.sealId) {
      const restored = await restore(stream, head);
      if (restored === "lock lost") {
        heads.delete(stream);
        return undefined;
      }
      if (restored === undefined) {
        // Someone with write access removed or added checkpoints, or a failover lost checkpoints
        // together with entries they cover: the chain goes on from the last one written here, so
        // verify shows the gap rather than a seamless chain over the cut.
        log.error({ stream, expectedSeq: head.seq }, "the checkpoints of an audit stream changed behind its sealer");
      } else head = restored;
    }

    const top = await lastEntryId(redis, stream);
    const upTo = top !== undefined && compareStreamIds(top, head.lastId) > 0 ? top : head.lastId;
    const interval = new IntervalHash(head.digest);
    if (upTo !== head.lastId) {
      let pages = 0;
      for await (const page of entriesBetween(redis, stream, head.lastId, upTo, SEAL_PAGE)) {
        for (const [id, fields] of page) interval.add(id, canonicalFields(fields));
        if (++pages % RENEW_EVERY_PAGES === 0 && !(await hold(stream))) {
          heads.delete(stream);
          return undefined;
        }
      }
    }
    const checkpoint = signCheckpoint(
      {
        v: 1,
        stream,
        seq: head.seq + 1,
        after: head.lastId,
        firstId: interval.firstId,
        lastId: upTo,
        count: interval.count,
        prev: head.digest,
        ...interval.digest(),
        time: new Date(options.clock.now()).toISOString(),
        intervalSeconds: options.intervalSeconds,
        keyId: key.keyId,
      },
      key,
    );
    const sealId = await appendCheckpoint(redis, { lock: sealerLockKeyOf(stream), token, seals: sealsKeyOf(stream), field: SEAL_FIELD, checkpoint: JSON.stringify(checkpoint) });
    if (sealId === null) {
      heads.delete(stream);
      return undefined;
    }
    heads.set(stream, chained(head, sealId, checkpoint));
    await trim(stream).catch((error: unknown) => noisy("warn", "trim failed", { err: error, stream }, "sealed audit entries not trimmed this interval"));
    return checkpoint;
  }

  /**
   * Appends again the checkpoints written here that the seals stream lost, when the entries they
   * cover are intact. Resolves the head after them; undefined when there are none that may be
   * restored; "lock lost" when the lock went to another sealer meanwhile.
   */
  async function restore(stream: string, head: Head): Promise<Head | "lock lost" | undefined> {
    const lost = await restorableCheckpoints(redis, stream, head.recent, await lastCheckpoint(redis, stream));
    if (lost === undefined) return undefined;
    // The lost ones are the last remembered: chain them again after the one Redis still holds.
    let restored: Head = { ...head, recent: head.recent.slice(0, head.recent.length - lost.length) };
    for (const checkpoint of lost) {
      const sealId = await appendCheckpoint(redis, { lock: sealerLockKeyOf(stream), token, seals: sealsKeyOf(stream), field: SEAL_FIELD, checkpoint: JSON.stringify(checkpoint) });
      if (sealId === null) return "lock lost";
      restored = chained(restored, sealId, checkpoint);
    }
    log.warn({ stream, fromSeq: lost[0]!.seq, toSeq: lost.at(-1)!.seq }, "checkpoints gone from an audit stream's seals (a failover?) appended again: the entries they cover are intact");
    return restored;
  }

  /** Trims the entries of the sealed intervals that ended before the retention window, and their checkpoints but the last. */
  async function trim(stream: string): Promise<void> {
    const bound = options.clock.now() - options.retentionDays * DAY_MS;
    let anchor: { sealId: string; lastId: string } | undefined;
    let first: string | undefined;
    scan: for await (const page of entriesBetween(redis, sealsKeyOf(stream), STREAM_START, "+", 100)) {
      for (const [sealId, fields] of page) {
        first ??= sealId;
        const checkpoint = parseCheckpoint(fields[fields.indexOf(SEAL_FIELD) + 1]!);
        // Its entries and the checkpoint itself older than the window: younger ones stay whole.
        if (msOfStreamId(checkpoint.lastId) >= bound || Date.parse(checkpoint.time) >= bound) break scan;
        anchor = { sealId, lastId: checkpoint.lastId };
      }
    }
    if (anchor === undefined) return;
    const multi = redis.multi();
    multi.xtrim(stream, "MINID", nextStreamId(anchor.lastId));
    if (anchor.sealId !== first) multi.xtrim(sealsKeyOf(stream), "MINID", anchor.sealId);
    await multi.exec();
  }

  async function sealAll(): Promise<void> {
    for (const stream of options.streams) {
      if (stopped) return;
      try {
        await seal(stream);
      } catch (error) {
        heads.delete(stream);
        noisy("warn", "seal failed", { err: error, stream }, "audit stream not sealed this interval");
      }
    }
  }

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  // One round at a time: the timer's and sealNow's never overlap (two would chain from one head).
  let rounds: Promise<void> = Promise.resolve();
  const round = () => (rounds = rounds.then(sealAll, sealAll));
  const loop = () => {
    const started = Date.now();
    void round().finally(() => {
      if (!stopped) timer = setTimeout(loop, Math.max(intervalMs - (Date.now() - started), 0));
    });
  };
  loop();

  return {
    sealNow: round,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await rounds.catch(() => undefined);
      await Promise.all(options.streams.map((stream) => releaseSealerLock(redis, { lock: sealerLockKeyOf(stream), token }).catch(() => false)));
    },
  };
}

/** A running sealer with its own connection, or undefined when sealing is off. */
export function startAuditSealer(
  config: Config,
  key: SealKey | undefined,
  clock: { now(): number },
  log: Logger,
  redisOptions: RedisOptions,
): { stop(): Promise<void> } | undefined {
  if (config.auditSeal === undefined || key === undefined) return undefined;
  const redis = createRedis(config.redis, "worker", { ...redisOptions, name: "predownload-worker-sealer" });
  const sealer = startSealer({ redis, streams: keysFor(config).auditStreams, key, intervalSeconds: config.auditSeal.intervalSeconds, clock, retentionDays: config.auditRetentionDays, log });
  return {
    async stop() {
      await sealer.stop();
      await closeRedis(redis, CLOSE_MS);
    },
  };
}
