/**
 * Writes to directory records, each through one script that compares versions and leaves
 * tombstones (scripts/directory-write-1.lua). A batch of writes lands atomically on one server (one
 * MULTI); a cluster cannot run one transaction across slots, so there each record lands on its own.
 */
import { Cluster } from "ioredis";
import type { DirectoryKind } from "../domain/directory.js";
import type { RedisClient } from "./client.js";
import type { Keys } from "./keys.js";
import { queueWriteRecord, writeRecord, type WriteRecord, type WriteRecordReply } from "./scripts.js";

/** What one write does: `put` a record, `del` it (a versioned one leaves a tombstone), `drop` a record but not a tombstone. */
export type RecordOperation = "put" | "del" | "drop";

export interface RecordWrite {
  readonly kind: DirectoryKind;
  readonly id: string;
  readonly operation: RecordOperation;
  /** Undefined: the write applies whatever is stored. */
  readonly version: number | undefined;
  /**
   * The record as stored, for `put`: from `encodeRecord` (domain/directory-codec.ts), its JSON or
   * the compact form of an activity or an attachment; `decodeRecord` gives the record back.
   */
  readonly stored?: string;
  /** Whether the reply carries the record stored before (for audit events and unchanged PUTs). */
  readonly wantBefore: boolean;
}

/** `upserted`: written without looking at what was stored (an unversioned bulk write), so not known to be created or replaced. */
export type WriteOutcome = "created" | "replaced" | "upserted" | "deleted" | "absent" | "unchanged" | "stale";

export interface WriteResult {
  readonly outcome: WriteOutcome;
  /** The version stored before the write, if any. */
  readonly storedVersion: number | undefined;
  /** The record before the write (when asked for and there was one), as stored: decode it with `decodeRecord`. */
  readonly before: string | undefined;
}

function scriptInput(keys: Keys, write: RecordWrite, tombstoneSeconds: number): WriteRecord {
  return { key: keys.record(write.kind, write.id), operation: write.operation, version: write.version, stored: write.stored, tombstoneSeconds, wantBefore: write.wantBefore };
}

function resultOf([outcome, storedVersion, before]: WriteRecordReply): WriteResult {
  return { outcome: outcome as WriteOutcome, storedVersion: storedVersion === "" ? undefined : Number(storedVersion), before: before ?? undefined };
}

/**
 * Applies writes in order, one result each. Keep a batch small (a few hundred records): on one
 * server Redis runs the whole batch before it serves anyone else.
 */
export async function applyWrites(redis: RedisClient, keys: Keys, writes: readonly RecordWrite[], tombstoneSeconds: number): Promise<WriteResult[]> {
  if (writes.length === 0) return [];
  if (redis instanceof Cluster) {
    const replies = await Promise.all(writes.map((write) => writeRecord(redis, scriptInput(keys, write, tombstoneSeconds))));
    return replies.map(resultOf);
  }
  // Plain writes in a row go as one MSET: one command instead of one each, for ioredis and for Redis.
  const runs = plainPutRuns(writes);
  if (runs.length === 1 && runs[0]!.end - runs[0]!.start === writes.length) {
    await redis.mset(msetArguments(keys, writes, 0, writes.length));
    return writes.map(() => UPSERTED);
  }
  const multi = redis.multi();
  const replyOf: number[] = [];
  let commands = 0;
  for (let i = 0, run = 0; i < writes.length; ) {
    if (runs[run]?.start === i) {
      const { end } = runs[run++]!;
      multi.mset(msetArguments(keys, writes, i, end));
      for (; i < end; i++) replyOf.push(commands);
      commands += 1;
      continue;
    }
    const write = writes[i]!;
    if (isPlain(write)) {
      if (write.operation === "put") multi.set(keys.record(write.kind, write.id), write.stored ?? "");
      else multi.del(keys.record(write.kind, write.id));
    } else queueWriteRecord(redis, multi, scriptInput(keys, write, tombstoneSeconds));
    replyOf.push(commands++);
    i += 1;
  }
  const results = await multi.exec();
  if (results === null) throw new Error("directory transaction was aborted");
  const failed = results.find(([error]) => error !== null);
  if (failed !== undefined) throw failed[0]!;
  return writes.map((write, i) => {
    const reply = results[replyOf[i]!]![1];
    if (!isPlain(write)) return resultOf(reply as WriteRecordReply);
    if (write.operation === "put") return UPSERTED;
    return { outcome: reply === 1 ? "deleted" : "absent", storedVersion: undefined, before: undefined };
  });
}

const UPSERTED: WriteResult = Object.freeze({ outcome: "upserted", storedVersion: undefined, before: undefined });

/** Runs (start inclusive, end exclusive) of two or more plain puts in a row. */
function plainPutRuns(writes: readonly RecordWrite[]): Array<{ start: number; end: number }> {
  const runs: Array<{ start: number; end: number }> = [];
  for (let i = 0; i < writes.length; ) {
    let end = i;
    while (end < writes.length && isPlain(writes[end]!) && writes[end]!.operation === "put") end += 1;
    if (end - i >= 2) runs.push({ start: i, end });
    i = Math.max(end, i + 1);
  }
  return runs;
}

function msetArguments(keys: Keys, writes: readonly RecordWrite[], start: number, end: number): string[] {
  const args = new Array<string>(2 * (end - start));
  for (let i = start; i < end; i++) {
    const write = writes[i]!;
    args[2 * (i - start)] = keys.record(write.kind, write.id);
    args[2 * (i - start) + 1] = write.stored ?? "";
  }
  return args;
}

/**
 * Whether a write needs no look at the stored record: without a version it applies whatever is
 * stored, and nobody asked for the record it replaces. Then a plain SET or DEL does what the script
 * would, at a fraction of the cost (a script call costs Redis about ten times a SET): the bulk of
 * an import, attachments without versions, goes this way.
 */
function isPlain(write: RecordWrite): boolean {
  return write.version === undefined && !write.wantBefore && write.operation !== "drop";
}

/** Records that a directory exists in this Redis (readiness and the worker look for it). */
export async function markDirectoryLoaded(redis: RedisClient, keys: Keys, at: Date): Promise<void> {
  await redis.set(keys.directoryImported, at.toISOString());
}
