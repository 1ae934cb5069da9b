/**
 * Reading and writing the directory in Redis. Each record is one string under
 * `<prefix>:dir:<kind>:<id>`: its text (JSON, or the compact form of an activity or an attachment:
 * see domain/directory-codec.ts), prefixed `v<version>:` when it has a version; a tombstone is
 * `t<version>` (see scripts/directory-write-1.lua). What a decision needs (attachment, its activity and the actor) is
 * read by one script call: a single round trip, however the records point at each other.
 */
import { ndjsonLines } from "../domain/ndjson-lines.js";
import type { Readable } from "node:stream";
import { Cluster } from "ioredis";
import type { RedisClient } from "./client.js";
import type { Actor } from "../domain/attachment.js";
import type { Activity, Attachment, Client, Customer, DirectoryEntry, User } from "../domain/directory.js";
import { quoted } from "../domain/control-text.js";
import { attachmentActivity, decodeRecord } from "../domain/directory-codec.js";
import { DirectoryLineError, parseLine } from "../domain/directory.js";
import type { Keys } from "./keys.js";
import { readDecision, type DecisionRecords } from "./scripts.js";
import { IMPORT_BATCH_RECORDS, MAX_REPORTED_ERRORS, writeFor } from "./directory-import.js";
import { applyWrites, markDirectoryLoaded } from "./directory-write.js";

export { MAX_REPORTED_ERRORS };

/** How long a versioned delete's tombstone lives when the caller does not say (`DIRECTORY_TOMBSTONE_DAYS` default). */
export const DEFAULT_TOMBSTONE_SECONDS = 7 * 86_400;

export interface ParsedDirectory {
  readonly entries: DirectoryEntry[];
  readonly errors: DirectoryLineError[];
}

/**
 * Validates a whole NDJSON stream held in memory, for small inputs (demo data, tests); blank lines
 * are skipped, a record named twice is an error. Stops after {@link MAX_REPORTED_ERRORS} bad lines.
 * Files of any size go through directory-import.ts, which streams.
 */
export async function readDirectory(input: Readable): Promise<ParsedDirectory> {
  const entries: DirectoryEntry[] = [];
  const errors: DirectoryLineError[] = [];
  const firstSeen = new Map<string, number>();
  let line = 0;
  for await (const raw of ndjsonLines(input)) {
    line += 1;
    // Editors on Windows often save UTF-8 with a byte order mark, which JSON.parse rejects.
    const text = line === 1 ? raw.replace(/^\uFEFF/, "") : raw;
    if (text.trim() === "") continue;
    try {
      const entry = parseLine(text, line);
      const identity = `${entry.kind}:${entry.id}`;
      const earlier = firstSeen.get(identity);
      if (earlier !== undefined) throw new DirectoryLineError(line, `${entry.kind} ${quoted(entry.id)} already appears on line ${earlier}`);
      firstSeen.set(identity, line);
      entries.push(entry);
    } catch (error) {
      if (!(error instanceof DirectoryLineError)) throw error;
      errors.push(error);
      if (errors.length >= MAX_REPORTED_ERRORS) break;
    }
  }
  return { entries, errors };
}

/**
 * Writes validated entries held in memory, in the import's batches (each atomic on one server), and
 * records when the directory was last imported, which readiness checks for.
 */
export async function writeDirectory(redis: RedisClient, keys: Keys, entries: readonly DirectoryEntry[], tombstoneSeconds = DEFAULT_TOMBSTONE_SECONDS): Promise<void> {
  for (let i = 0; i < entries.length; i += IMPORT_BATCH_RECORDS) {
    await applyWrites(redis, keys, entries.slice(i, i + IMPORT_BATCH_RECORDS).map((entry) => writeFor(entry, false)), tombstoneSeconds);
  }
  await markDirectoryLoaded(redis, keys, new Date());
}

/** A stored record as written by scripts/directory-write-1.lua. */
export interface StoredRecord {
  /** The record's text (decode it with decodeRecord); undefined for a tombstone. */
  readonly body: string | undefined;
  readonly version: number | undefined;
}

/** Reads a stored value: `<text>`, `v<version>:<text>` or the tombstone `t<version>`. */
export function parseStored(stored: string): StoredRecord {
  if (stored.startsWith("t")) return { body: undefined, version: Number(stored.slice(1)) };
  if (stored.startsWith("v")) {
    const colon = stored.indexOf(":");
    return { body: stored.slice(colon + 1), version: Number(stored.slice(1, colon)) };
  }
  return { body: stored, version: undefined };
}

function storedRecord(stored: string | null): string | null {
  return stored === null ? null : (parseStored(stored).body ?? null);
}

/** The actor's own record, typed by the actor's kind. */
export type ActorRecord = { type: "user"; record: User } | { type: "customer"; record: Customer } | { type: "client"; record: Client };

/** Everything one permission decision needs; each part is absent when its record does not exist. */
export interface DecisionInputs {
  readonly attachment: Attachment | undefined;
  readonly activity: Activity | undefined;
  readonly actor: ActorRecord | undefined;
}

/** What the worker reads for one request: the decision's inputs, and whether there is a directory at all. */
export interface DirectoryRead extends DecisionInputs {
  /** Whether a directory was imported into this Redis: without one, every record is absent. */
  readonly directoryLoaded: boolean;
}

/**
 * Reads the attachment, its activity, the actor and whether a directory was imported: in one round
 * trip on one server. On a cluster the records live in different slots, which one script cannot
 * read: the attachment, the actor and the import marker are read at once, then the activity the
 * attachment names.
 */
export async function readDecisionInputs(redis: RedisClient, keys: Keys, altId: string, actor: Actor): Promise<DirectoryRead> {
  const attachmentKey = keys.record("attachment", altId);
  const actorKey = keys.record(actor.type, actor.id);
  let reply: DecisionRecords;
  if (redis instanceof Cluster) {
    const [attachmentBody, actorBody, loaded] = await Promise.all([
      redis.get(attachmentKey).then(storedRecord),
      redis.get(actorKey).then(storedRecord),
      redis.exists(keys.directoryImported),
    ]);
    const activityId = attachmentBody === null ? undefined : attachmentActivity(attachmentBody);
    reply = [attachmentBody, activityId === undefined ? null : storedRecord(await redis.get(keys.record("activity", activityId))), actorBody, loaded];
  } else {
    reply = await readDecision(redis, { attachmentKey, actorKey, importedKey: keys.directoryImported, activityPrefix: `${keys.directory}activity:` });
  }
  const [attachment, activity, actorRecord, loaded] = reply;
  const attachmentRecord = attachment ? decodeRecord("attachment", altId, attachment) : undefined;
  return {
    directoryLoaded: loaded === 1,
    attachment: attachmentRecord,
    // The activity's id is the one the attachment names (a compact activity does not repeat it).
    activity: activity && attachmentRecord ? decodeRecord("activity", attachmentRecord.activity, activity) : undefined,
    actor: actorRecord ? ({ type: actor.type, record: decodeRecord(actor.type, actor.id, actorRecord) } as unknown as ActorRecord) : undefined,
  };
}
