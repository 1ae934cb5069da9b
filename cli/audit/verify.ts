/**
 * `npm run audit -- verify`: the live streams, or an `export --with-seals` file offline, checked
 * against their checkpoints (see `verifier.ts`), with a summary or the first break of each stream.
 */
import { createReadStream } from "node:fs";
import type { RedisClient } from "../../shared/redis/client.js";
import { checkpointsOf, entriesBetween } from "../../shared/redis/seal-store.js";
import { AUDIT_FIELD } from "../../shared/domain/audit.js";
import { canonicalFields, parseCheckpoint } from "../../shared/domain/seal.js";
import type { VerificationKey } from "../../shared/runtime/seal-key.js";
import { StreamVerifier, type CheckpointItem, type StreamReport } from "./verifier.js";
import { ndjsonLineBatches } from "../../shared/domain/ndjson-lines.js";

const DAY_MS = 24 * 3600 * 1000;

export interface VerifyOptions {
  readonly keys: ReadonlyMap<string, VerificationKey>;
  readonly retentionDays: number;
  readonly fromId: string | undefined;
}

/** The export file cannot be read as one: exit 1 naming the line. */
export class InputError extends Error {}

/** Entries verified so far, on stderr once a second when it is a terminal. */
class Progress {
  private count = 0;
  private readonly started = Date.now();
  private shown = Date.now();
  add(n: number): void {
    this.count += n;
    if (!process.stderr.isTTY || Date.now() - this.shown < 1000) return;
    this.shown = Date.now();
    const rate = Math.round(this.count / ((this.shown - this.started) / 1000));
    process.stderr.write(`\rverified ${this.count} entries, ${rate}/s `);
  }
  done(): void {
    if (process.stderr.isTTY && this.shown !== this.started) process.stderr.write("\n");
  }
}

/** Checks every stream in Redis against its checkpoints, judging the tail by Redis's clock. */
export async function verifyLive(redis: RedisClient, streams: readonly string[], options: VerifyOptions): Promise<StreamReport[]> {
  const [seconds, micros] = await redis.time();
  const nowMs = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
  const offsetMs = nowMs - Date.now();
  const retentionBoundNowMs = () => Date.now() + offsetMs - options.retentionDays * DAY_MS;
  const progress = new Progress();
  const reports: StreamReport[] = [];
  for (const stream of streams) {
    const items: CheckpointItem[] = [];
    for await (const item of checkpointsOf(redis, stream)) items.push(item);
    const verifier = new StreamVerifier(stream, items, options.keys, { retentionBoundMs: nowMs - options.retentionDays * DAY_MS, fromId: options.fromId, retentionBoundNowMs });
    for await (const page of entriesBetween(redis, stream, verifier.startAfter)) {
      for (const [id, fields] of page) verifier.add(id, fields.length === 2 && fields[0] === AUDIT_FIELD ? fields[1]! : canonicalFields(fields));
      progress.add(page.length);
      if (verifier.broken) break;
    }
    reports.push(verifier.finish(nowMs));
  }
  progress.done();
  return reports;
}

interface ExportLine {
  readonly stream?: unknown;
  readonly id?: unknown;
  readonly event?: unknown;
  readonly fields?: unknown;
  readonly seal?: unknown;
}

/**
 * An entry line as `export --with-seals` writes it: its stream, its id, then the event JSON up to
 * the closing brace. Such lines are not parsed: the event's text is handed on as it is.
 */
const ENTRY_LINE = /^\{"stream":("(?:[^"\\]|\\.)*"),"id":"(\d+-\d+)","event":/;

/** The lines of a file (without their line ends), a chunk's worth at a time, each found in the bytes and decoded on its own. */
function linesOf(path: string): AsyncGenerator<string[]> {
  return ndjsonLineBatches(createReadStream(path, { highWaterMark: 1 << 20 }));
}

interface ExportVisitor {
  /** An entry line as the export writes it, not parsed: `text` is its event JSON as written. */
  entry(stream: string, id: string, text: string): void;
  /** Any other line, parsed. */
  other(n: number, line: ExportLine): void;
}

/** Reads an export file line by line. */
async function readExport(path: string, visit: ExportVisitor): Promise<void> {
  let n = 0;
  const streams = new Map<string, string>();
  for await (const lines of linesOf(path)) {
    for (let raw of lines) {
      n += 1;
      if (raw.endsWith("\r")) raw = raw.slice(0, -1);
      const fast = raw.endsWith("}") ? ENTRY_LINE.exec(raw) : null;
      if (fast !== null) {
        const quoted = fast[1]!;
        let stream = streams.get(quoted);
        if (stream === undefined) streams.set(quoted, (stream = JSON.parse(quoted) as string));
        visit.entry(stream, fast[2]!, raw.slice(fast[0].length, -1));
        continue;
      }
      if (raw.trim() === "") continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        throw new InputError(`${path}: line ${n}: not JSON`);
      }
      if (parsed === null || typeof parsed !== "object" || typeof (parsed as ExportLine).stream !== "string") throw new InputError(`${path}: line ${n}: not an export line (no "stream")`);
      visit.other(n, parsed as ExportLine);
    }
  }
}

/**
 * Checks an `export --with-seals` file: a first pass takes the checkpoints, a second feeds the
 * entries. The tail is judged by the newest entry of each stream (an export has no "now").
 */
export async function verifyFile(path: string, options: VerifyOptions): Promise<StreamReport[]> {
  const seals = new Map<string, CheckpointItem[]>();
  const streams: string[] = [];
  const seen = (stream: string) => {
    if (!seals.has(stream)) {
      seals.set(stream, []);
      streams.push(stream);
    }
    return seals.get(stream)!;
  };
  await readExport(path, {
    entry: (stream) => void seen(stream),
    other(n, line) {
      const list = seen(line.stream as string);
      if (line.seal === undefined) return;
      try {
        if (line.seal === null || typeof line.seal !== "object") throw new Error("not an object");
        list.push({ checkpoint: parseCheckpoint(line.seal) });
      } catch (error) {
        list.push({ sealId: `on line ${n}`, problem: (error as Error).message });
      }
    },
  });
  const verifiers = new Map(
    streams.map((stream) => {
      const items = seals.get(stream)!;
      const lastTime = items.reduce((latest, item) => ("checkpoint" in item ? Math.max(latest, Date.parse(item.checkpoint.time) || 0) : latest), 0);
      return [stream, new StreamVerifier(stream, items, options.keys, { retentionBoundMs: lastTime - options.retentionDays * DAY_MS, fromId: options.fromId })];
    }),
  );
  const progress = new Progress();
  await readExport(path, {
    entry(stream, id, text) {
      verifiers.get(stream)!.add(id, text);
      progress.add(1);
    },
    other(n, line) {
      if (line.seal !== undefined) return;
      if (typeof line.id !== "string" || !/^\d+-\d+$/.test(line.id)) throw new InputError(`${path}: line ${n}: no stream id`);
      const canonical = line.fields !== undefined ? JSON.stringify(line.fields) : line.event !== undefined ? JSON.stringify(line.event) : undefined;
      if (canonical === undefined) throw new InputError(`${path}: line ${n}: neither "event" nor "seal"`);
      verifiers.get(line.stream as string)!.add(line.id, canonical);
      progress.add(1);
    },
  });
  progress.done();
  return streams.map((stream) => verifiers.get(stream)!.finish());
}

/** The summary lines, or each stream's break; true when every stream is intact. */
export function summarize(reports: readonly StreamReport[], keys: ReadonlyMap<string, VerificationKey>): { lines: string[]; valid: boolean } {
  const broken = reports.filter((r) => r.break !== undefined);
  if (broken.length > 0) return { lines: broken.map((r) => `${r.stream}: ${r.break!.kind}: ${r.break!.message}`), valid: false };
  const sum = (pick: (r: StreamReport) => number) => reports.reduce((total, r) => total + pick(r), 0);
  const lines = [`${sum((r) => r.seals)} seals, ${sum((r) => r.entries)} entries, all valid`];
  for (const r of reports) {
    if (r.unsealed > 0) lines.push(`${r.stream}: ${r.unsealed} ${r.unsealed === 1 ? "entry" : "entries"} newer than the last checkpoint (#${r.last!.seq}, sealed ${r.last!.time}): not yet sealed`);
    if (r.trimmedEntries > 0) lines.push(`${r.stream}: ${r.trimmedEntries} older entries trimmed by retention (their checkpoints checked)`);
    if (r.skippedSeals > 0) lines.push(`${r.stream}: ${r.skippedSeals} checkpoints before --from checked, their entries not read`);
  }
  const signers = new Map<string, string[]>();
  for (const r of reports) {
    for (const [keyId, { count, first, last }] of r.byKey) signers.set(keyId, [...(signers.get(keyId) ?? []), `${r.stream} #${first}${first === last ? "" : ` to #${last}`} (${count})`]);
  }
  for (const [keyId, what] of signers) lines.push(`key ${keyId} (${keys.get(keyId)?.source ?? "?"}) signed ${what.join(", ")}`);
  return { lines, valid: true };
}
