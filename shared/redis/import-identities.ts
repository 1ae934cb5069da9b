/**
 * The identities of an import's records, kept on disk so that memory stays flat whatever the
 * input's size. The first pass spools one 12-byte record per line (the identity's 64-bit hash and
 * the line's number); once the count is known, the spool is split by hash into buckets of at most
 * {@link BUCKET_RECORDS} records on average, and each bucket is checked on its own in a table sized
 * for it: for repeated hashes (the duplicate check), or against the keys a replace found in Redis.
 * A hash falls in one bucket only, so a repeat is never split across two.
 */
import { join } from "node:path";
import { identityHash, IdentityHashTable, type IdentityHasher } from "../domain/identity-hash.js";
import { chunksOf, SpoolFile } from "./spool-file.js";

/** Records one bucket holds on average: its table then takes about 18 MiB (9 bytes a slot, 2^21 slots). */
export const BUCKET_RECORDS = 1 << 20;
const RECORD_BYTES = 12;
/** Records buffered before a write: 768 KiB. */
const SPOOL_RECORDS = 1 << 16;
/** Bytes buffered per bucket while the spool is split. */
const BUCKET_BUFFER_BYTES = 1 << 16;

export interface ImportIdentityOptions {
  /** Tests give a weak hash, to make collisions happen. */
  readonly hash?: IdentityHasher;
  /** Tests give a small one, to spread a few records over several buckets. */
  readonly bucketRecords?: number;
}

/** Lines whose identity's hash appeared on an earlier line: real duplicates, or (rarely) collisions. */
export interface Suspects {
  /** The lowest of those lines, in order, at most the limit asked for. */
  readonly lines: number[];
  /** Whether an identity's hash is one of theirs (the identity is a duplicate's, or what one collided with). */
  has(identity: string): boolean;
}

/** The (high, low, line) records of a spool or bucket file, in file order. */
async function* hashRecords(path: string): AsyncGenerator<Buffer> {
  yield* chunksOf(path, SPOOL_RECORDS * RECORD_BYTES);
}

/** Length-prefixed UTF-8 texts (a key found in Redis may hold any byte, a newline included). */
async function* textRecords(path: string): AsyncGenerator<string[]> {
  let rest = Buffer.alloc(0);
  for await (const chunk of chunksOf(path, 1 << 20)) {
    const data = rest.length === 0 ? chunk : Buffer.concat([rest, chunk]);
    const texts: string[] = [];
    let at = 0;
    while (at + 4 <= data.length) {
      const length = data.readUInt32LE(at);
      if (at + 4 + length > data.length) break;
      texts.push(data.toString("utf8", at + 4, at + 4 + length));
      at += 4 + length;
    }
    rest = Buffer.from(data.subarray(at));
    if (texts.length > 0) yield texts;
  }
}

export class ImportIdentities {
  private spool: SpoolFile | undefined;
  private buckets: string[] | undefined;
  private bucketCounts: number[] = [];
  private reused: IdentityHashTable | undefined;
  private readonly hash: IdentityHasher;
  private readonly bucketRecords: number;
  private count = 0;

  private constructor(
    private readonly dir: string,
    spool: SpoolFile,
    options: ImportIdentityOptions,
  ) {
    this.spool = spool;
    this.hash = options.hash ?? identityHash;
    this.bucketRecords = options.bucketRecords ?? BUCKET_RECORDS;
  }

  /** A spool in `dir`, which the caller removes when done (after {@link close}). */
  static async create(dir: string, options: ImportIdentityOptions = {}): Promise<ImportIdentities> {
    return new ImportIdentities(dir, await SpoolFile.create(join(dir, "identities.bin"), SPOOL_RECORDS * RECORD_BYTES), options);
  }

  get records(): number {
    return this.count;
  }

  /** Spools an identity and the line it is on (lines in increasing order); call {@link drain} now and then. */
  add(identity: string, line: number): void {
    const { high, low } = this.hash(identity);
    const spool = this.spool!;
    const buffer = spool.reserve(RECORD_BYTES);
    const at = spool.advance(RECORD_BYTES);
    buffer.writeUInt32LE(high, at);
    buffer.writeUInt32LE(low, at + 4);
    buffer.writeUInt32LE(line, at + 8);
    this.count += 1;
  }

  /** Waits for the spool's writes so far: what keeps its buffers from piling up. */
  async drain(): Promise<void> {
    await this.spool?.drain();
  }

  /** Ends the spool (idempotent); its files stay until the caller removes the folder. */
  async close(): Promise<void> {
    const spool = this.spool;
    this.spool = undefined;
    await spool?.close();
  }

  private bucketCount(): number {
    return Math.max(1, Math.ceil(this.count / this.bucketRecords));
  }

  private static bucketOf(high: number, count: number): number {
    return Math.floor((high * count) / 0x1_0000_0000);
  }

  /** The bucket files (the spool itself when one is enough), split once, on first use. */
  private async split(): Promise<string[]> {
    if (this.buckets !== undefined) return this.buckets;
    await this.close();
    const spoolPath = join(this.dir, "identities.bin");
    const count = this.bucketCount();
    if (count === 1) {
      this.bucketCounts = [this.count];
      this.buckets = [spoolPath];
      return this.buckets;
    }
    const files = await Promise.all(Array.from({ length: count }, (_, i) => SpoolFile.create(join(this.dir, `identities-${i}.bin`), BUCKET_BUFFER_BYTES)));
    try {
      for await (const chunk of hashRecords(spoolPath)) {
        for (let at = 0; at < chunk.length; at += RECORD_BYTES) {
          const file = files[ImportIdentities.bucketOf(chunk.readUInt32LE(at), count)]!;
          const buffer = file.reserve(RECORD_BYTES);
          chunk.copy(buffer, file.advance(RECORD_BYTES), at, at + RECORD_BYTES);
        }
        await Promise.all(files.map((file) => file.drain()));
      }
    } finally {
      await Promise.all(files.map((file) => file.close()));
    }
    this.bucketCounts = files.map((file) => file.bytes / RECORD_BYTES);
    this.buckets = files.map((file) => file.path);
    return this.buckets;
  }

  /**
   * An empty table that holds the largest bucket, made once and reused for every bucket: a table
   * per bucket would leave the previous ones to the garbage collector, and memory would grow with
   * the number of buckets until it ran.
   */
  private emptyTable(): IdentityHashTable {
    const largest = Math.max(0, ...this.bucketCounts);
    if (this.reused === undefined || this.reused.capacity < largest) this.reused = new IdentityHashTable(largest);
    else this.reused.clear();
    return this.reused;
  }

  /** The table, filled with one bucket's hashes. */
  private async table(bucket: number): Promise<IdentityHashTable> {
    const buckets = await this.split();
    const table = this.emptyTable();
    for await (const chunk of hashRecords(buckets[bucket]!)) {
      for (let at = 0; at < chunk.length; at += RECORD_BYTES) table.add(chunk.readUInt32LE(at), chunk.readUInt32LE(at + 4));
    }
    return table;
  }

  /**
   * The lines whose identity's hash an earlier line had, at most `limit` of them (the lowest), bucket
   * by bucket. The caller confirms them against the text: a suspect may be a collision.
   */
  async suspects(limit: number): Promise<Suspects> {
    const buckets = await this.split();
    let found: Array<{ line: number; high: number; low: number }> = [];
    const keepLowest = () => {
      found.sort((a, b) => a.line - b.line);
      found = found.slice(0, limit);
    };
    for (let bucket = 0; bucket < buckets.length; bucket++) {
      const table = this.emptyTable();
      for await (const chunk of hashRecords(buckets[bucket]!)) {
        for (let at = 0; at < chunk.length; at += RECORD_BYTES) {
          const high = chunk.readUInt32LE(at);
          const low = chunk.readUInt32LE(at + 4);
          if (!table.add(high, low)) continue;
          found.push({ line: chunk.readUInt32LE(at + 8), high, low });
          // A file of nothing but repeats must not grow this list with its size.
          if (found.length >= 2 * limit + 1024) keepLowest();
        }
      }
    }
    keepLowest();
    const hot = new IdentityHashTable(found.length);
    for (const { high, low } of found) hot.add(high, low);
    return {
      lines: found.map((s) => s.line),
      has: (identity) => {
        const { high, low } = this.hash(identity);
        return hot.has(high, low);
      },
    };
  }

  /**
   * Of the identities `scanned` yields, those whose hash no line of the input has, a chunk at a time.
   * A collision can only keep an identity, never give one the input holds. With one bucket the
   * identities are checked as they come; with several, they are first split into buckets of their
   * own on disk, then checked bucket by bucket.
   */
  async *absent(scanned: AsyncIterable<string[]>): AsyncGenerator<string[]> {
    const buckets = await this.split();
    if (buckets.length === 1) {
      const table = await this.table(0);
      for await (const identities of scanned) yield identities.filter((identity) => this.isAbsent(table, identity));
      return;
    }
    const count = buckets.length;
    const files = await Promise.all(Array.from({ length: count }, (_, i) => SpoolFile.create(join(this.dir, `scanned-${i}.bin`), BUCKET_BUFFER_BYTES)));
    try {
      for await (const identities of scanned) {
        for (const identity of identities) {
          const file = files[ImportIdentities.bucketOf(this.hash(identity).high, count)]!;
          const length = Buffer.byteLength(identity);
          const buffer = file.reserve(4 + length);
          const at = file.advance(4 + length);
          buffer.writeUInt32LE(length, at);
          buffer.write(identity, at + 4, "utf8");
        }
        await Promise.all(files.map((file) => file.drain()));
      }
    } finally {
      await Promise.all(files.map((file) => file.close()));
    }
    for (let bucket = 0; bucket < count; bucket++) {
      const table = await this.table(bucket);
      for await (const identities of textRecords(files[bucket]!.path)) yield identities.filter((identity) => this.isAbsent(table, identity));
    }
  }

  private isAbsent(table: IdentityHashTable, identity: string): boolean {
    const { high, low } = this.hash(identity);
    return !table.has(high, low);
  }
}
