/**
 * Checking one audit stream against its checkpoints: fed the checkpoints up front and the entries
 * in stream order, it finds the first break and names it, or counts what it proved. Live streams and
 * exports feed it alike (see `verify.ts`).
 */
import {
  compareStreamIds,
  digestOf,
  GENESIS,
  IntervalHash,
  msOfStreamId,
  signatureHolds,
  STREAM_START,
  type Checkpoint,
} from "../../shared/domain/seal.js";
import type { VerificationKey } from "../../shared/runtime/seal-key.js";

/** A checkpoint as read, or one that could not be read. */
export type CheckpointItem = { readonly checkpoint: Checkpoint } | { readonly sealId: string; readonly problem: string };

export type BreakKind = "entry deleted" | "entry altered" | "entry inserted" | "entries reordered" | "checkpoint missing" | "checkpoint forged" | "unknown key" | "tail cut";

export interface Break {
  readonly kind: BreakKind;
  readonly message: string;
}

/** A trail whose last checkpoint is older than this many of its intervals was cut, or is no longer sealed. */
export const STALE_INTERVALS = 6;
const STALE_MARGIN_MS = 2000;
/** Entries of one interval kept to name what changed in it; beyond, only counts are compared. */
const MAX_BUFFERED = 200_000;

export interface StreamReport {
  readonly stream: string;
  /** Checkpoints whose signature and chain were checked. */
  seals: number;
  /** Entries proven by a checkpoint. */
  entries: number;
  /** Entries of sealed intervals gone by retention (older than it), and their checkpoints. */
  trimmedEntries: number;
  /** Checkpoints before `--from`, signature and chain checked, entries not read. */
  skippedSeals: number;
  /** Entries newer than the last checkpoint. */
  unsealed: number;
  /** The last checkpoint checked. */
  last: Checkpoint | undefined;
  /** Seals per key id: how many, and the first and last sequence numbers. */
  readonly byKey: Map<string, { count: number; first: number; last: number }>;
  break: Break | undefined;
}

export interface VerifierOptions {
  /** Entries older than this (epoch ms) may have been trimmed by retention; younger ones may not. */
  readonly retentionBoundMs: number;
  /** Start at the interval holding this stream id; earlier checkpoints are checked, their entries not. */
  readonly fromId?: string;
  /**
   * Live streams only: the retention bound now (epoch ms, Redis's clock). The sealer trims whole
   * intervals older than the retention while they are read, so an interval older than this bound
   * that comes up short was trimmed under the reader, not tampered with.
   */
  readonly retentionBoundNowMs?: () => number;
}

interface Open {
  readonly checkpoint: Checkpoint;
  readonly hash: IntervalHash;
  buffer: Array<[string, string]> | undefined;
}

export class StreamVerifier {
  readonly report: StreamReport;
  /** Entries at or before this id are not read (`--from`). */
  readonly startAfter: string;
  private next = 0;
  private open: Open | undefined;
  private started = false;
  private lastEntry: string | undefined;
  private newestUnsealed: string | undefined;

  constructor(
    readonly stream: string,
    private readonly checkpoints: readonly CheckpointItem[],
    private readonly keys: ReadonlyMap<string, VerificationKey>,
    private readonly options: VerifierOptions,
  ) {
    this.report = { stream, seals: 0, entries: 0, trimmedEntries: 0, skippedSeals: 0, unsealed: 0, last: undefined, byKey: new Map(), break: undefined };
    this.startAfter = STREAM_START;
    if (options.fromId !== undefined) {
      for (const item of checkpoints) {
        if (!("checkpoint" in item)) break;
        if (compareStreamIds(item.checkpoint.lastId, options.fromId) >= 0) break;
        this.startAfter = item.checkpoint.lastId;
      }
    }
  }

  get broken(): boolean {
    return this.report.break !== undefined;
  }

  /**
   * The next entry of the stream, in stream order: its id and its canonical text (see
   * `canonicalFields`), or the event JSON as stored, which is canonical unless written by hand.
   */
  add(id: string, canonical: string): void {
    if (this.broken || compareStreamIds(id, this.startAfter) <= 0) return;
    if (this.lastEntry !== undefined && compareStreamIds(id, this.lastEntry) <= 0) {
      return this.fail("entries reordered", `entry ${id} comes after entry ${this.lastEntry}: entries are out of stream order`);
    }
    this.lastEntry = id;
    if (!this.started) this.begin(id);
    while (!this.broken && (this.open === undefined || compareStreamIds(id, this.open.checkpoint.lastId) > 0)) {
      if (this.open !== undefined) this.close();
      if (this.broken) return;
      if (this.next >= this.checkpoints.length) {
        this.report.unsealed += 1;
        this.newestUnsealed = id;
        return;
      }
      this.openNext();
      if (this.open !== undefined && compareStreamIds(id, this.open.checkpoint.after) <= 0) {
        const c = this.open.checkpoint;
        return this.fail("checkpoint missing", `entry ${id} is covered by no checkpoint: the first one, #${c.seq} (sealed ${c.time}), starts after ${c.after}`);
      }
    }
    if (this.broken || this.open === undefined) return;
    this.open.hash.add(id, canonical);
    if (this.open.buffer !== undefined) {
      if (this.open.buffer.length < MAX_BUFFERED) this.open.buffer.push([id, canonical]);
      else this.open.buffer = undefined;
    }
  }

  /** Every entry was fed: checks the rest. `nowMs` is Redis's time for a live stream; an export is judged by its newest entry. */
  finish(nowMs?: number): StreamReport {
    if (!this.started) this.begin(undefined);
    if (this.open !== undefined && !this.broken) this.close();
    while (!this.broken && this.next < this.checkpoints.length) {
      this.openNext();
      if (!this.broken) this.close();
    }
    if (this.broken) return this.report;
    const last = this.report.last;
    if (last === undefined) {
      this.fail("checkpoint missing", `no checkpoint${this.report.unsealed > 0 ? ` for its ${this.report.unsealed} entries` : ""}: the stream was never sealed, or its checkpoints were removed`);
      return this.report;
    }
    const reference = nowMs ?? (this.newestUnsealed === undefined ? undefined : msOfStreamId(this.newestUnsealed));
    const staleMs = STALE_INTERVALS * last.intervalSeconds * 1000 + STALE_MARGIN_MS;
    if (reference !== undefined && reference - Date.parse(last.time) > staleMs) {
      const age = Math.round((reference - Date.parse(last.time)) / 1000);
      this.fail("tail cut", `the trail ends at checkpoint #${last.seq}, sealed ${last.time}, ${age} s before ${nowMs === undefined ? "its newest entry" : "now"} (sealed every ${last.intervalSeconds} s): what came after it was cut, or is no longer sealed`);
    }
    return this.report;
  }

  private fail(kind: BreakKind, message: string): void {
    this.report.break ??= { kind, message };
  }

  /** Checkpoints before the oldest entry (`oldest`, undefined when there is none) or before `--from`: checked, their entries gone or not read. */
  private begin(oldest: string | undefined): void {
    this.started = true;
    while (!this.broken && this.next < this.checkpoints.length) {
      const item = this.checkpoints[this.next]!;
      if (!("checkpoint" in item)) return;
      const c = item.checkpoint;
      const skipped = this.options.fromId !== undefined && compareStreamIds(c.lastId, this.options.fromId) < 0;
      const trimmed = oldest === undefined || compareStreamIds(c.lastId, oldest) < 0;
      if (!skipped && !trimmed) return;
      this.next += 1;
      this.check(c);
      if (this.broken) return;
      if (skipped) {
        this.report.skippedSeals += 1;
      } else if (c.count > 0) {
        if (msOfStreamId(c.lastId) >= this.options.retentionBoundMs) {
          return this.fail("entry deleted", `the ${c.count} entries of checkpoint #${c.seq} (${c.firstId} to ${c.lastId}, sealed ${c.time}) are gone, though younger than the retention`);
        }
        this.report.trimmedEntries += c.count;
      }
    }
  }

  private openNext(): void {
    const item = this.checkpoints[this.next++]!;
    if (!("checkpoint" in item)) return this.fail("checkpoint forged", `seal ${item.sealId}: ${item.problem}`);
    this.check(item.checkpoint);
    if (!this.broken) this.open = { checkpoint: item.checkpoint, hash: new IntervalHash(item.checkpoint.prev, false), buffer: [] };
  }

  /** Signature, key and link to the previous checkpoint. */
  private check(c: Checkpoint): void {
    const at = `checkpoint #${c.seq} (sealed ${c.time})`;
    if (c.stream !== this.stream) return this.fail("checkpoint forged", `${at} names stream ${c.stream}`);
    const key = this.keys.get(c.keyId);
    if (key === undefined) return this.fail("unknown key", `${at} is signed by key ${c.keyId}, which is none of the public keys given`);
    if (!signatureHolds(c, key.publicKey)) return this.fail("checkpoint forged", `${at}: its signature does not hold under key ${c.keyId}`);
    const prev = this.report.last;
    if (prev === undefined) {
      if (c.seq === 1 && (c.prev !== GENESIS || c.after !== STREAM_START)) return this.fail("checkpoint forged", `${at} is the first but does not start the chain`);
    } else if (c.seq > prev.seq + 1) {
      const missing = c.seq - prev.seq - 1;
      return this.fail("checkpoint missing", `${missing === 1 ? `checkpoint #${prev.seq + 1} is` : `checkpoints #${prev.seq + 1} to #${c.seq - 1} are`} missing, between #${prev.seq} (sealed ${prev.time}) and #${c.seq} (sealed ${c.time})`);
    } else if (c.seq !== prev.seq + 1 || c.prev !== digestOf(prev) || c.after !== prev.lastId) {
      return this.fail("checkpoint forged", `${at} does not follow checkpoint #${prev.seq} (sealed ${prev.time}): the chain is broken`);
    }
    this.report.seals += 1;
    this.report.last = c;
    const signed = this.report.byKey.get(c.keyId);
    if (signed === undefined) this.report.byKey.set(c.keyId, { count: 1, first: c.seq, last: c.seq });
    else Object.assign(signed, { count: signed.count + 1, last: c.seq });
  }

  private close(): void {
    const { checkpoint: c, hash, buffer } = this.open!;
    this.open = undefined;
    const count = hash.count;
    const { hash: digest } = hash.digest();
    if (count === c.count && digest === c.hash) {
      this.report.entries += count;
      return;
    }
    const where = `checkpoint #${c.seq} (${c.count === 0 ? `no entries after ${c.after}` : `${c.firstId} to ${c.lastId}`}, sealed ${c.time})`;
    const bound = this.options.retentionBoundNowMs?.();
    if (count < c.count && bound !== undefined && msOfStreamId(c.lastId) < bound) {
      this.report.trimmedEntries += c.count;
      return;
    }
    if (count < c.count) {
      const first = buffer !== undefined && c.firstId !== null && !buffer.some(([id]) => id === c.firstId) ? `entry ${c.firstId} and ` : "";
      const n = c.count - count;
      return this.fail("entry deleted", `${first}${n} ${n === 1 ? "entry" : "entries"} in all deleted from ${where}: ${count} of ${c.count} left`);
    }
    if (count > c.count) {
      const outside = buffer?.find(([id]) => c.firstId === null || compareStreamIds(id, c.firstId) < 0);
      const n = count - c.count;
      return this.fail("entry inserted", `${outside === undefined ? "" : `entry ${outside[0]} and `}${n} ${n === 1 ? "entry" : "entries"} in all inserted into ${where}: ${count} where ${c.count} were sealed`);
    }
    if (buffer === undefined) return this.fail("entry altered", `an entry of ${where} was altered or entries were reordered`);
    // Entries are fed as stored (the service writes them canonical); one written otherwise is
    // brought to the canonical form before anything is called changed.
    const again = new IntervalHash(c.prev);
    for (const [id, text] of buffer) again.add(id, normalized(text));
    const { hash: normal, ids, events } = again.digest();
    if (normal === c.hash) {
      this.report.entries += count;
      return;
    }
    if (ids !== c.ids) return this.fail("entry altered", `entries of ${where} were replaced: their ids are not the ones sealed`);
    if (events !== c.events) return this.fail("entry altered", `an entry of ${where} was altered`);
    this.fail("entries reordered", `entries of ${where} were reordered: the same events, in another order`);
  }
}

/** JSON text as `JSON.stringify` writes it; text that is not JSON as it is. */
function normalized(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return text;
  }
}
