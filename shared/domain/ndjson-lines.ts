/**
 * NDJSON lines of a byte stream: split on LF only (a CR before it is dropped), as the format says.
 * Node's readline also ends a line at a lone CR and, from Node 22, at U+2028/U+2029, which JSON
 * text may hold raw; a record holding one would be cut in two.
 */

export async function* ndjsonLines(input: AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  for await (const lines of ndjsonLineBatches(input)) yield* lines;
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * The same lines, a chunk's worth at a time: a caller handling millions of lines then pays for one
 * await per chunk rather than one per line. Lines are found in the bytes and each is decoded whole
 * (a character split across chunks is joined first), which costs less than decoding every chunk
 * into one long string and cutting that.
 */
export async function* ndjsonLineBatches(input: AsyncIterable<Buffer | string>): AsyncGenerator<string[]> {
  // The bytes of a line not ended yet, in as many chunks as it came in (a long line is copied once).
  let parts: Buffer[] = [];
  for await (const chunk of input) {
    const data = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : (chunk as Buffer);
    let start = 0;
    let end = data.indexOf(LF);
    if (end === -1) {
      if (data.length > 0) parts.push(Buffer.from(data));
      continue;
    }
    const lines: string[] = [];
    if (parts.length > 0) {
      parts.push(data.subarray(0, end));
      const joined = Buffer.concat(parts);
      lines.push(decodeLine(joined, 0, joined.length));
      parts = [];
      start = end + 1;
      end = data.indexOf(LF, start);
    }
    for (; end !== -1; end = data.indexOf(LF, start)) {
      lines.push(decodeLine(data, start, end));
      start = end + 1;
    }
    // Copied: the source may fill the same buffer again for its next chunk.
    if (start < data.length) parts.push(Buffer.from(data.subarray(start)));
    yield lines;
  }
  if (parts.length > 0) {
    const joined = Buffer.concat(parts);
    yield [decodeLine(joined, 0, joined.length)];
  }
}

/** The text of `data[start, end)`, less a CR at its end. */
function decodeLine(data: Buffer, start: number, end: number): string {
  return data.toString("utf8", start, end > start && data[end - 1] === CR ? end - 1 : end);
}
