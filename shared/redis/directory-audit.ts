/**
 * Audit events for changes to the directory (`type: "directory"`): one per changed department,
 * user, customer or client, with the whole record before and after (records hold no secrets), and
 * one `import` event per import summing it up (counts per kind, the input's SHA-256), which stands
 * for the activities and attachments it wrote. Writes that changed nothing (unchanged, stale, a
 * delete of nothing) get no event of their own.
 */
import { randomUUID } from "node:crypto";
import { AUDIT_FIELD } from "../domain/audit.js";
import { escapeControlCharacters } from "../domain/control-text.js";
import type { DirectoryKind, ImportCounts, ImportMode } from "../domain/directory.js";
import { decodeRecord } from "../domain/directory-codec.js";
import { scrub } from "../runtime/log.js";
import type { RedisClient } from "./client.js";
import type { RecordWrite, WriteResult } from "./directory-write.js";
import type { Keys } from "./keys.js";

/** Kinds whose every change has its own event, with the record before and after. */
export const AUDITED_KINDS: ReadonlySet<DirectoryKind> = new Set(["department", "user", "customer", "client"]);

/** Who changed the directory: an admin token's client, or the CLI as `<user>@<host>`. */
export interface DirectoryAuthor {
  readonly type: "client" | "cli";
  readonly id: string;
}

export interface DirectoryAuditEvent {
  readonly id: string;
  readonly time: string;
  readonly type: "directory";
  readonly action: "upsert" | "delete" | "import";
  /** The record's kind; null on an `import` event. */
  readonly kind: DirectoryKind | null;
  /** The record's id (an attachment's altId); null on an `import` event. */
  readonly recordId: string | null;
  /** The version written; null when the write had none (and on an `import` event). */
  readonly version: number | null;
  readonly by: DirectoryAuthor;
  /** The request (API) or the import run (CLI) the change belongs to: an import's record events share its id. */
  readonly requestId: string;
  /** The trace of the request that made the change; null when untraced (the CLI). */
  readonly traceId: string | null;
  readonly before: Record<string, unknown> | null;
  readonly after: Record<string, unknown> | null;
  /** On an `import` event only. */
  readonly mode?: ImportMode;
  readonly sha256?: string;
  readonly counts?: ImportCounts;
}

function parsed(write: RecordWrite, body: string | undefined): Record<string, unknown> | null {
  return body === undefined ? null : decodeRecord(write.kind, write.id, body);
}

/** The event for one write, or undefined when it changed nothing. */
export function recordEvent(write: RecordWrite, result: WriteResult, by: DirectoryAuthor, requestId: string, time: Date): DirectoryAuditEvent | undefined {
  const changed = result.outcome === "created" || result.outcome === "replaced" || result.outcome === "upserted" || result.outcome === "deleted";
  if (!changed) return undefined;
  const put = write.operation === "put";
  return {
    id: randomUUID(),
    time: time.toISOString(),
    type: "directory",
    action: put ? "upsert" : "delete",
    kind: write.kind,
    recordId: clean(write.id),
    version: write.version ?? null,
    by: { type: by.type, id: clean(by.id) },
    requestId,
    traceId: null,
    before: parsed(write, result.before),
    after: put ? parsed(write, write.stored) : null,
  };
}

export function importEvent(summary: { mode: ImportMode; sha256: string; counts: ImportCounts }, by: DirectoryAuthor, requestId: string, time: Date): DirectoryAuditEvent {
  return {
    id: randomUUID(),
    time: time.toISOString(),
    type: "directory",
    action: "import",
    kind: null,
    recordId: null,
    version: null,
    by: { type: by.type, id: clean(by.id) },
    requestId,
    traceId: null,
    before: null,
    after: null,
    mode: summary.mode,
    sha256: summary.sha256,
    counts: summary.counts,
  };
}

function clean(text: string): string {
  return escapeControlCharacters(scrub(text));
}

/**
 * Appends events, in order, to the audit stream of the shard of `requestId` (so one import's events
 * stay together and in order). Their times follow Redis's clock (see `measureOffset` in clock.ts).
 */
export async function appendDirectoryEvents(redis: RedisClient, keys: Keys, requestId: string, events: readonly DirectoryAuditEvent[]): Promise<void> {
  if (events.length === 0) return;
  const stream = keys.shardFor(requestId).auditStream;
  const pipeline = redis.pipeline();
  for (const event of events) pipeline.xadd(stream, "*", AUDIT_FIELD, JSON.stringify(event));
  const results = await pipeline.exec();
  const failed = results?.find(([error]) => error !== null);
  if (failed !== undefined) throw failed[0]!;
}
