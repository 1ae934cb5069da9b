/** NDJSON lines of a byte stream (shared/lines.ts): LF ends a line, nothing else does. */
import { Readable } from "node:stream";
import { expect } from "chai";
import { ndjsonLines } from "../../shared/domain/ndjson-lines.js";

async function lines(chunks: ReadonlyArray<string | Buffer>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of ndjsonLines(Readable.from(chunks))) out.push(line);
  return out;
}

describe("NDJSON lines", () => {
  it("ends a line at LF only, so U+2028, U+2029 and a lone CR stay inside it", async () => {
    expect(await lines(['{"a":"x\u2028y\u2029z\rw"}\n{"b":1}\n'])).to.deep.equal(['{"a":"x\u2028y\u2029z\rw"}', '{"b":1}']);
  });

  it("drops the CR of a CRLF and keeps a last line without its LF", async () => {
    expect(await lines(["a\r\nb\r\n\nc"])).to.deep.equal(["a", "b", "", "c"]);
  });

  it("joins a line and a UTF-8 character split across chunks", async () => {
    const bytes = Buffer.from('{"n":"📎é"}\n{"m":2}\n');
    const chunks = Array.from(bytes, (byte) => Buffer.from([byte]));
    expect(await lines(chunks)).to.deep.equal(['{"n":"📎é"}', '{"m":2}']);
  });
});
