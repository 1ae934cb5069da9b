/**
 * The directory import, one pipeline for the CLI and the API, in two passes over streams. The first
 * reads the input (a file, stdin, a request body) once: it validates every line (duplicates
 * included), hashes the input, and writes each normalized record to a temporary plan file; nothing
 * is written to Redis unless the whole input is good. The second reads the plan and writes its
 * records in small batches, each atomic (one MULTI on one server), a few in flight at once: no
 * line is parsed twice. Memory stays flat: lines are handled a chunk at a time, and the duplicate
 * check spools a 64-bit hash per record to disk and checks them bucket by bucket (see
 * import-identities.ts), not the ids themselves. Every temporary file lives in one folder, removed
 * by {@link Validation.remove}.
 *
 * With `replace`, records the file does not hold are deleted afterwards; a record the file holds is
 * overwritten in place, never removed in between.
 */
import { createHash, type Hash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { quoted } from "../domain/control-text.js";
import { DIRECTORY_KINDS, DirectoryLineError, parseLine, type DirectoryEntry, type DirectoryKind, type ImportCounts, type ImportMode } from "../domain/directory.js";
import { encodeRecord } from "../domain/directory-codec.js";
import { ndjsonLineBatches } from "../domain/ndjson-lines.js";
import { dataNodes, type RedisClient } from "./client.js";
import { measureOffset } from "./clock.js";
import { AUDITED_KINDS, appendDirectoryEvents, importEvent, recordEvent, type DirectoryAuthor } from "./directory-audit.js";
import { applyWrites, markDirectoryLoaded, type RecordWrite, type WriteResult } from "./directory-write.js";
import { chunksOf, SpoolFile } from "./spool-file.js";
import { ImportIdentities, type ImportIdentityOptions, type Suspects } from "./import-identities.js";
import type { Keys } from "./keys.js";

/** How many bad lines one import reports before it stops looking. */
export const MAX_REPORTED_ERRORS = 50;
/** Records in one atomic batch: a few milliseconds of Redis's time at most. */
export const IMPORT_BATCH_RECORDS = 200;
/** Batches sent before the first of them must have answered: keeps Redis busy while the next batch is parsed. */
const BATCHES_IN_FLIGHT = 4;


export interface Validation {
  /** Bad lines, in line order, at most {@link MAX_REPORTED_ERRORS}. */
  readonly errors: DirectoryLineError[];
  /** Records (non-blank lines) in the input. */
  readonly records: number;
  /** SHA-256 of the input's bytes, in hex. */
  readonly sha256: string;
  /** Every record's identity (`<kind>:<id>`), spooled, for `replace`. */
  readonly identities: ImportIdentities;
  /** The file of normalized records, one a line (`<line>\t<kind>\t<id>\t<version>\t<stored text>`, none for a delete). */
  readonly plan: string;
  /** Removes the temporary files (the plan, the identities); call it on every way out. */
  remove(): Promise<void>;
}

/** Progress of one pass, for a terminal's status line. */
export interface ImportProgress {
  readonly phase: "validated" | "written" | "swept";
  readonly lines: number;
  /** How many there are in all, when known (the records to write, once validated). */
  readonly total?: number;
}

export interface ImportOptions {
  readonly mode: ImportMode;
  readonly tombstoneSeconds: number;
  /** Called now and then with how far a pass got. */
  readonly onProgress?: (progress: ImportProgress) => void;
  /** Called after each batch lands, with its writes and their results (audit events are made from them). */
  readonly onBatch?: (writes: readonly RecordWrite[], results: readonly WriteResult[]) => Promise<void>;
  /** Kinds whose writes carry back the record they replaced. */
  readonly wantBefore?: ReadonlySet<DirectoryKind>;
  /** Audit the import: who made it, and the id its events share. */
  readonly audit?: { readonly by: DirectoryAuthor; readonly requestId: string; readonly traceId?: string | null };
}

const PROGRESS_EVERY_LINES = 50_000;

/** Lines of an input with their numbers (from 1), a chunk at a time, blank lines skipped, a leading byte order mark dropped. */
async function* numberedLines(input: AsyncIterable<Buffer | string>): AsyncGenerator<Array<[number, string]>> {
  let line = 0;
  for await (const lines of ndjsonLineBatches(input)) {
    const numbered: Array<[number, string]> = [];
    for (const raw of lines) {
      line += 1;
      // Editors on Windows often save UTF-8 with a byte order mark, which JSON.parse rejects.
      const text = line === 1 ? raw.replace(/^\uFEFF/, "") : raw;
      if (text.trim() !== "") numbered.push([line, text]);
    }
    yield numbered;
  }
}

function identityOf(entry: { kind: DirectoryKind; id: string }): string {
  return `${entry.kind}:${entry.id}`;
}

/** Lines of the plan file, parsed back (ids and kinds hold no tab or newline: control characters are refused). */
async function* planEntries(path: string): AsyncGenerator<PlannedWrite[]> {
  for await (const lines of ndjsonLineBatches(chunksOf(path, PLAN_BUFFER_BYTES))) {
    yield lines.map((text) => {
      const [line, kind, id, version, stored] = text.split("\t", 5) as [string, DirectoryKind, string, string, string];
      return { line: Number(line), kind, id, version: version === "" ? undefined : Number(version), stored: stored === "" ? undefined : stored };
    });
  }
}

interface PlannedWrite {
  readonly line: number;
  readonly kind: DirectoryKind;
  readonly id: string;
  readonly version: number | undefined;
  /** Undefined for a delete. */
  readonly stored: string | undefined;
}

function planLine(line: number, entry: DirectoryEntry): string {
  const version = entry.version === undefined ? "" : String(entry.version);
  return `${line}\t${entry.kind}\t${entry.id}\t${version}\t${entry.deleted ? "" : encodeRecord(entry.kind, entry.record)}\n`;
}

function isReadable(input: unknown): input is Readable {
  return typeof (input as Readable).destroy === "function";
}

/** The chunks of a stream, each added to `hash` as it passes. */
async function* hashed(input: AsyncIterable<Buffer | string>, hash: Hash): AsyncGenerator<Buffer | string> {
  for await (const chunk of input) {
    hash.update(chunk as Buffer | string);
    yield chunk as Buffer | string;
  }
}

/** Plan bytes buffered before a write. */
const PLAN_BUFFER_BYTES = 1 << 20;

export interface ValidateOptions extends ImportIdentityOptions {
  /** Told the temporary folder as soon as it exists: a process ended by a signal removes it itself (finally blocks do not run then). */
  readonly onTemporaryFolder?: (path: string) => void;
}

/** Suspected duplicates examined, the lowest lines first: enough for {@link MAX_REPORTED_ERRORS} even among collisions. */
const SUSPECTS_EXAMINED = 1000;

/**
 * First pass: validates every line of the input and writes the plan. Every record's identity is
 * spooled as a hash; repeated hashes are then confirmed against the plan's text, so a refusal is
 * never a hash collision.
 */
export async function validateInput(input: AsyncIterable<Buffer | string>, onProgress?: (progress: ImportProgress) => void, options: ValidateOptions = {}): Promise<Validation> {
  const errors: DirectoryLineError[] = [];
  const hash = createHash("sha256");
  const dir = await mkdtemp(join(tmpdir(), "pd-import-"));
  options.onTemporaryFolder?.(dir);
  const remove = () => rm(dir, { recursive: true, force: true });
  const plan = join(dir, "plan.tsv");
  let identities: ImportIdentities | undefined;
  let out: SpoolFile | undefined;
  let records = 0;
  try {
    out = await SpoolFile.create(plan, PLAN_BUFFER_BYTES);
    identities = await ImportIdentities.create(dir, options);
    reading: for await (const lines of numberedLines(hashed(input, hash))) {
      for (const [line, text] of lines) {
        records += 1;
        if (line % PROGRESS_EVERY_LINES === 0) onProgress?.({ phase: "validated", lines: line });
        try {
          const entry = parseLine(text, line);
          // Once the input is known bad, only more errors matter: the plan, and the identities, stop.
          if (errors.length === 0) {
            identities.add(identityOf(entry), line);
            out.writeText(planLine(line, entry));
          }
        } catch (error) {
          if (!(error instanceof DirectoryLineError)) throw error;
          errors.push(error);
          if (errors.length >= MAX_REPORTED_ERRORS) break reading;
        }
      }
      await Promise.all([out.drain(), identities.drain()]);
    }
    await out.close();
    await identities.close();
    // Duplicates before the first bad line (the plan stops there) are reported with it, in line order.
    const suspects = await identities.suspects(SUSPECTS_EXAMINED);
    if (suspects.lines.length > 0) {
      errors.push(...(await confirmDuplicates(plan, suspects)));
      errors.sort((a, b) => a.line - b.line);
      errors.splice(MAX_REPORTED_ERRORS);
    }
  } catch (error) {
    await out?.close().catch(() => undefined);
    await identities?.close().catch(() => undefined);
    await remove();
    throw error;
  } finally {
    if (isReadable(input)) input.destroy();
  }
  return { errors, records, sha256: hash.digest("hex"), identities, plan, remove };
}

/**
 * The suspected duplicates that are real, each naming the line its record first appears on: every
 * plan line up to the last suspect whose identity has a suspect's hash is compared by its text.
 */
async function confirmDuplicates(planPath: string, suspects: Suspects): Promise<DirectoryLineError[]> {
  const last = suspects.lines.at(-1)!;
  const firstSeen = new Map<string, number>();
  const confirmed: DirectoryLineError[] = [];
  reading: for await (const plan of planEntries(planPath)) {
    for (const planned of plan) {
      if (planned.line > last) break reading;
      const identity = identityOf(planned);
      if (!suspects.has(identity)) continue;
      const earlier = firstSeen.get(identity);
      if (earlier === undefined) firstSeen.set(identity, planned.line);
      else confirmed.push(new DirectoryLineError(planned.line, `${planned.kind} ${quoted(planned.id)} already appears on line ${earlier}`));
    }
  }
  return confirmed;
}

export function emptyCounts(): ImportCounts {
  return { upserted: {}, deleted: {}, unchanged: 0, stale: 0 };
}

function count(counts: ImportCounts, write: RecordWrite, result: WriteResult): void {
  switch (result.outcome) {
    case "created":
    case "replaced":
    case "upserted":
      counts.upserted[write.kind] = (counts.upserted[write.kind] ?? 0) + 1;
      break;
    case "deleted":
      counts.deleted[write.kind] = (counts.deleted[write.kind] ?? 0) + 1;
      break;
    case "absent":
      // A delete line for a record that is not there still counts as applied: a repeated import says the same.
      if (write.operation === "del") counts.deleted[write.kind] = (counts.deleted[write.kind] ?? 0) + 1;
      break;
    case "unchanged":
      counts.unchanged += 1;
      break;
    case "stale":
      counts.stale += 1;
      break;
  }
}

/** The write one validated entry makes. */
export function writeFor(entry: DirectoryEntry, wantBefore: boolean): RecordWrite {
  return entry.deleted
    ? { kind: entry.kind, id: entry.id, operation: "del", version: entry.version, wantBefore }
    : { kind: entry.kind, id: entry.id, operation: "put", version: entry.version, stored: encodeRecord(entry.kind, entry.record), wantBefore };
}

/** Sends batches, a few at a time, in order of completion accounting. */
class BatchWriter {
  private pending: RecordWrite[] = [];
  private readonly inFlight: Array<Promise<void>> = [];
  written = 0;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly counts: ImportCounts,
    private readonly options: ImportOptions,
  ) {}

  /** Queues a write; true when a batch is full and should be sent. */
  add(write: RecordWrite): boolean {
    this.pending.push(write);
    return this.pending.length >= IMPORT_BATCH_RECORDS;
  }

  /** Sends the queued writes as one batch; waits only while too many batches are in flight. */
  async send(): Promise<void> {
    const writes = this.pending;
    this.pending = [];
    if (writes.length === 0) return;
    const sent = applyWrites(this.redis, this.keys, writes, this.options.tombstoneSeconds).then(async (results) => {
      results.forEach((result, i) => count(this.counts, writes[i]!, result));
      this.written += writes.length;
      await this.options.onBatch?.(writes, results);
    });
    // A failed batch fails the import; the others in flight still settle before it is reported.
    sent.catch(() => undefined);
    this.inFlight.push(sent);
    if (this.inFlight.length >= BATCHES_IN_FLIGHT) await this.inFlight.shift();
  }

  async flush(): Promise<void> {
    await this.send();
    const all = this.inFlight.splice(0);
    const settled = await Promise.allSettled(all);
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failed !== undefined) throw failed.reason;
  }
}

/**
 * Second pass: writes the plan of an input {@link validateInput} accepted, then (replace) deletes
 * every record it does not hold, then records that a directory was imported.
 */
export async function writePlan(redis: RedisClient, keys: Keys, validation: Validation, given: ImportOptions): Promise<ImportCounts> {
  const audit = given.audit;
  const offsetMs = audit === undefined ? 0 : (await measureOffset(redis)).offsetMs;
  const traceId = audit?.traceId ?? null;
  const now = () => new Date(Date.now() + offsetMs);
  const options: ImportOptions =
    audit === undefined
      ? given
      : {
          ...given,
          wantBefore: AUDITED_KINDS,
          onBatch: async (writes, results) => {
            const time = now();
            const events = writes.flatMap((write, i) => {
              if (!AUDITED_KINDS.has(write.kind)) return [];
              const event = recordEvent(write, results[i]!, audit.by, audit.requestId, time);
              return event === undefined ? [] : [{ ...event, traceId }];
            });
            await appendDirectoryEvents(redis, keys, audit.requestId, events);
            await given.onBatch?.(writes, results);
          },
        };
  const counts = emptyCounts();
  const writer = new BatchWriter(redis, keys, counts, options);
  let written = 0;
  for await (const plan of planEntries(validation.plan)) {
    for (const planned of plan) {
      written += 1;
      if (written % PROGRESS_EVERY_LINES === 0) options.onProgress?.({ phase: "written", lines: written, total: validation.records });
      const wantBefore = options.wantBefore?.has(planned.kind) === true;
      const write: RecordWrite =
        planned.stored === undefined
          ? { kind: planned.kind, id: planned.id, operation: "del", version: planned.version, wantBefore }
          : { kind: planned.kind, id: planned.id, operation: "put", version: planned.version, stored: planned.stored, wantBefore };
      if (writer.add(write)) await writer.send();
    }
  }
  await writer.flush();
  if (options.mode === "replace") await sweep(redis, keys, validation.identities, writer, options);
  await markDirectoryLoaded(redis, keys, now());
  if (audit !== undefined) {
    const summary = { ...importEvent({ mode: options.mode, sha256: validation.sha256, counts }, audit.by, audit.requestId, now()), traceId };
    await appendDirectoryEvents(redis, keys, audit.requestId, [summary]);
  }
  return counts;
}

/** The identities (`<kind>:<id>`) of the directory's records and tombstones, SCANned on every data node, a page at a time. */
async function* storedIdentities(redis: RedisClient, keys: Keys, options: ImportOptions): AsyncGenerator<string[]> {
  let seen = 0;
  for (const node of dataNodes(redis)) {
    let cursor = "0";
    do {
      const [next, batch] = await node.scan(cursor, "MATCH", `${keys.directory}*`, "COUNT", 1000);
      cursor = next;
      seen += batch.length;
      if (seen % PROGRESS_EVERY_LINES < batch.length) options.onProgress?.({ phase: "swept", lines: seen });
      yield batch.map((key) => key.slice(keys.directory.length));
    } while (cursor !== "0");
  }
}

/**
 * Deletes every record (not tombstones) whose identity the file does not hold, found by hash: a
 * collision can only keep a record that should go, never delete one the file holds.
 */
async function sweep(redis: RedisClient, keys: Keys, identities: ImportIdentities, writer: BatchWriter, options: ImportOptions): Promise<void> {
  for await (const absent of identities.absent(storedIdentities(redis, keys, options))) {
    for (const identity of absent) {
      const separator = identity.indexOf(":");
      const kind = identity.slice(0, separator) as DirectoryKind;
      if (!(DIRECTORY_KINDS as readonly string[]).includes(kind)) continue;
      const write: RecordWrite = { kind, id: identity.slice(separator + 1), operation: "drop", version: undefined, wantBefore: options.wantBefore?.has(kind) === true };
      if (writer.add(write)) await writer.send();
    }
  }
  await writer.flush();
}
