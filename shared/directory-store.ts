/**
 * Reading and writing the directory in Redis. Each record is one JSON string under
 * `<prefix>:dir:<kind>:<id>`. What a decision needs (attachment, its activity and the actor) is
 * read by one script call: a single round trip, however the records point at each other.
 */
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { Cluster, type Redis } from "ioredis";
import type { RedisClient } from "./redis.js";
import type { Actor } from "./attachment.js";
import type { Activity, Attachment, Client, Customer, DirectoryEntry, User } from "./directory.js";
import { DirectoryLineError, parseLine } from "./directory.js";
import type { Keys } from "./keys.js";

/** How many bad lines one import reports before it stops looking. */
export const MAX_REPORTED_ERRORS = 50;

export interface ParsedDirectory {
  readonly entries: DirectoryEntry[];
  readonly errors: DirectoryLineError[];
}

/**
 * Validates a whole NDJSON stream; blank lines are skipped, a record named twice is an error.
 * Stops after {@link MAX_REPORTED_ERRORS} bad lines.
 */
export async function readDirectory(input: Readable): Promise<ParsedDirectory> {
  const entries: DirectoryEntry[] = [];
  const errors: DirectoryLineError[] = [];
  const firstSeen = new Map<string, number>();
  let line = 0;
  for await (const raw of createInterface({ input, crlfDelay: Infinity })) {
    line += 1;
    // Editors on Windows often save UTF-8 with a byte order mark, which JSON.parse rejects.
    const text = line === 1 ? raw.replace(/^\uFEFF/, "") : raw;
    if (text.trim() === "") continue;
    try {
      const entry = parseLine(text, line);
      const identity = `${entry.kind}:${entry.id}`;
      const earlier = firstSeen.get(identity);
      if (earlier !== undefined) throw new DirectoryLineError(line, `${entry.kind} "${entry.id}" already appears on line ${earlier}`);
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

/** Records written at once on a cluster, where one transaction cannot span slots. */
const CLUSTER_WRITE_BATCH = 500;

/**
 * Writes validated entries, and records when the directory was last imported, which readiness
 * checks for. On one server this is one transaction: readers see all of the entries or none. A
 * cluster cannot run a transaction across slots, so there the records are written in batches and
 * become visible as they land; the file was still validated whole before the first write.
 */
export async function writeDirectory(redis: RedisClient, keys: Keys, entries: readonly DirectoryEntry[]): Promise<void> {
  if (redis instanceof Cluster) {
    for (let i = 0; i < entries.length; i += CLUSTER_WRITE_BATCH) {
      await Promise.all(
        entries.slice(i, i + CLUSTER_WRITE_BATCH).map((entry) => {
          const key = keys.record(entry.kind, entry.id);
          return entry.deleted ? redis.del(key) : redis.set(key, JSON.stringify(entry.record));
        }),
      );
    }
    await redis.set(keys.directoryImported, new Date().toISOString());
    return;
  }
  const multi = redis.multi();
  multi.set(keys.directoryImported, new Date().toISOString());
  for (const entry of entries) {
    const key = keys.record(entry.kind, entry.id);
    if (entry.deleted) multi.del(key);
    else multi.set(key, JSON.stringify(entry.record));
  }
  const results = await multi.exec();
  const failed = results?.find(([error]) => error !== null);
  if (results === null || failed !== undefined) throw failed?.[0] ?? new Error("directory transaction was aborted");
}

function activityOf(attachmentJson: string): string | undefined {
  try {
    const { activity } = JSON.parse(attachmentJson) as { activity?: unknown };
    return typeof activity === "string" ? activity : undefined;
  } catch {
    return undefined;
  }
}

/** The actor's own record, typed by the actor's kind. */
export type ActorRecord = { type: "user"; record: User } | { type: "customer"; record: Customer } | { type: "client"; record: Client };

/** Everything one permission decision needs; each part is absent when its record does not exist. */
export interface DecisionInputs {
  readonly attachment: Attachment | undefined;
  readonly activity: Activity | undefined;
  readonly actor: ActorRecord | undefined;
}

const READ_SCRIPT = `
local attachment = redis.call('GET', KEYS[1])
local actor = redis.call('GET', KEYS[2])
local activity = false
if attachment then
  local ok, decoded = pcall(cjson.decode, attachment)
  if ok and type(decoded.activity) == 'string' then
    activity = redis.call('GET', ARGV[1] .. decoded.activity)
  end
end
return {attachment, activity, actor}
`;

interface ReadCommand {
  pdReadDecision(attachmentKey: string, actorKey: string, activityPrefix: string): Promise<Array<string | null>>;
}

/** Registers the read script on a client (once per client). */
export function withDirectoryCommands(redis: Redis): Redis & ReadCommand {
  if (!("pdReadDecision" in redis)) redis.defineCommand("pdReadDecision", { numberOfKeys: 2, lua: READ_SCRIPT });
  return redis as Redis & ReadCommand;
}

/**
 * Reads the attachment, its activity and the actor: in one round trip on one server. On a cluster
 * the records live in different slots, which one script cannot read: the attachment and the actor
 * are read at once, then the activity the attachment names.
 */
export async function readDecisionInputs(redis: RedisClient, keys: Keys, altId: string, actor: Actor): Promise<DecisionInputs> {
  const attachmentKey = keys.record("attachment", altId);
  const actorKey = keys.record(actor.type, actor.id);
  let reply: Array<string | null>;
  if (redis instanceof Cluster) {
    const [attachmentJson, actorJson] = await Promise.all([redis.get(attachmentKey), redis.get(actorKey)]);
    const activityId = attachmentJson === null ? undefined : activityOf(attachmentJson);
    reply = [attachmentJson, activityId === undefined ? null : await redis.get(keys.record("activity", activityId)), actorJson];
  } else {
    reply = await withDirectoryCommands(redis).pdReadDecision(attachmentKey, actorKey, `${keys.directory}activity:`);
  }
  const [attachment, activity, actorRecord] = reply;
  return {
    attachment: attachment ? (JSON.parse(attachment) as Attachment) : undefined,
    activity: activity ? (JSON.parse(activity) as Activity) : undefined,
    actor: actorRecord ? ({ type: actor.type, record: JSON.parse(actorRecord) } as ActorRecord) : undefined,
  };
}
