/**
 * Temporary files of the directory import, written and read in large buffers: the plan, the
 * identities and their buckets. One write is in flight at a time; `drain` waits for it, which is
 * what keeps buffers from piling up when the disk is slower than the input.
 */
import { open, type FileHandle } from "node:fs/promises";

/** Buffers kept for reuse once written. */
const SPARE_BUFFERS = 2;

/** A file written through a buffer, one write in flight: records of fixed size, or text. */
export class SpoolFile {
  private buffer: Buffer;
  private used = 0;
  private written: Promise<unknown> = Promise.resolve();
  private readonly spare: Buffer[] = [];
  bytes = 0;

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    private readonly bufferBytes: number,
  ) {
    this.buffer = Buffer.allocUnsafe(bufferBytes);
  }

  static async create(path: string, bufferBytes: number): Promise<SpoolFile> {
    return new SpoolFile(path, await open(path, "w"), bufferBytes);
  }

  /** Room for `bytes` more, the full buffer handed to the disk first if need be (one write in flight). */
  reserve(bytes: number): Buffer {
    if (this.used + bytes > this.buffer.length) this.spill(bytes);
    return this.buffer;
  }

  /** Where the next record goes in the buffer {@link reserve} returned; `bytes` are then counted as written. */
  advance(bytes: number): number {
    const at = this.used;
    this.used += bytes;
    this.bytes += bytes;
    return at;
  }

  private spill(bytes: number): void {
    const full = this.buffer;
    const handle = this.handle;
    const used = this.used;
    // A buffer written out is used again: allocating one per write leaves them to the garbage
    // collector, which lets tens of megabytes of them pile up before it runs.
    this.written = this.written.then(async () => {
      await writeAll(handle, full.subarray(0, used));
      if (full.length === this.bufferBytes && this.spare.length < SPARE_BUFFERS) this.spare.push(full);
    });
    this.buffer = (bytes <= this.bufferBytes ? this.spare.pop() : undefined) ?? Buffer.allocUnsafe(Math.max(this.bufferBytes, bytes));
    this.used = 0;
  }

  /** Appends `text` in UTF-8. */
  writeText(text: string): void {
    const buffer = this.reserve(3 * text.length);
    this.advance(buffer.write(text, this.used, "utf8"));
  }

  /** Waits for the writes handed to the disk so far (keeps at most one buffer waiting). */
  async drain(): Promise<void> {
    await this.written;
  }

  async close(): Promise<void> {
    if (this.used > 0) this.spill(0);
    try {
      await this.written;
    } finally {
      await this.handle.close();
    }
  }
}

async function writeAll(handle: FileHandle, data: Buffer): Promise<void> {
  for (let at = 0; at < data.length; ) at += (await handle.write(data, at, data.length - at)).bytesWritten;
}

/** The chunks of a file, `chunkBytes` at a time (the last one shorter). */
export async function* chunksOf(path: string, chunkBytes: number): AsyncGenerator<Buffer> {
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.allocUnsafe(chunkBytes);
    for (;;) {
      // Filled whole but at the end, so that a chunk holds whole records.
      let filled = 0;
      for (let n = -1; n !== 0 && filled < chunkBytes; filled += n) n = (await handle.read(buffer, filled, chunkBytes - filled, null)).bytesRead;
      if (filled === 0) return;
      yield buffer.subarray(0, filled);
      if (filled < chunkBytes) return;
    }
  } finally {
    await handle.close();
  }
}

