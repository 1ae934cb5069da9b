/**
 * The demo data `npm start` loads: the directory in `demo/directory.ndjson` and, for each attachment,
 * the file `demo/objects/<objectKey>` that holds its bytes.
 */
import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { RedisClient } from "../shared/redis/client.js";
import { readDirectory, writeDirectory } from "../shared/redis/directory-store.js";
import type { Attachment, DirectoryEntry, DirectoryKind } from "../shared/domain/directory.js";
import type { Keys } from "../shared/redis/keys.js";

const DEMO_ROOT = fileURLToPath(new URL("../demo/", import.meta.url));
/** The demo directory, one NDJSON record a line. */
const DEMO_DIRECTORY_FILE = join(DEMO_ROOT, "directory.ndjson");
/** Where the bytes of the demo attachments live, each under its object key. */
export const DEMO_OBJECTS_DIR = join(DEMO_ROOT, "objects");

/** One object to upload to the bucket. */
export interface DemoObject {
  readonly key: string;
  readonly body: Buffer;
  readonly contentType: string;
}

/** The validated demo directory and the objects its attachments point at. */
export interface Demo {
  readonly entries: readonly DirectoryEntry[];
  readonly objects: readonly DemoObject[];
}

/** The record type of one directory kind. */
export type RecordOfKind<K extends DirectoryKind> = Extract<DirectoryEntry, { kind: K; deleted: false }>["record"];

/** The records of one kind among validated entries (deletions left out). */
export function recordsOf<K extends DirectoryKind>(entries: readonly DirectoryEntry[], kind: K): Array<RecordOfKind<K>> {
  const records: Array<RecordOfKind<K>> = [];
  for (const entry of entries) if (entry.kind === kind && !entry.deleted) records.push(entry.record as RecordOfKind<K>);
  return records;
}

/**
 * Reads and validates the demo directory and the file behind every attachment.
 * @throws Error naming the line or file that is wrong, including a size that disagrees with the file.
 */
export async function readDemo(): Promise<Demo> {
  const { entries, errors } = await readDirectory(createReadStream(DEMO_DIRECTORY_FILE));
  if (errors.length > 0) throw new Error(`${DEMO_DIRECTORY_FILE}: ${errors.map((e) => e.message).join("; ")}`);
  const objects = await Promise.all(recordsOf(entries, "attachment").map(readObject));
  return { entries, objects };
}

async function readObject(attachment: Attachment): Promise<DemoObject> {
  const file = join(DEMO_OBJECTS_DIR, attachment.objectKey);
  const body = await readFile(file);
  if (body.length !== attachment.size) {
    throw new Error(`demo attachment ${attachment.altId} has size ${attachment.size}, but ${file} holds ${body.length} bytes`);
  }
  return { key: attachment.objectKey, body, contentType: attachment.contentType };
}

/** Uploads the demo objects, then writes the directory that points at them under the configured key prefix. */
export async function loadDemo(demo: Demo, redis: RedisClient, keys: Keys, upload: (object: DemoObject) => Promise<void>): Promise<void> {
  await Promise.all(demo.objects.map(upload));
  await writeDirectory(redis, keys, demo.entries);
}
