/**
 * `POST /directory/import` over a slow link: the body is not bound by REQUEST_TIMEOUT_MS as a whole
 * (a large import takes longer), but by its pace: a pause longer than REQUEST_TIMEOUT_MS, or an
 * average below DIRECTORY_IMPORT_MIN_BYTES_PER_SECOND, is cut with 408-100.
 */
import { request } from "node:http";
import { expect } from "chai";
import { client } from "../support/factories.js";
import { startStack, type Stack } from "../support/stack.js";

const REQUEST_TIMEOUT_MS = 1500;
const MIN_BYTES_PER_SECOND = 100;

interface Answer {
  /** 0 when the connection closed without an answer. */
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  /** From the first byte sent to the end of the answer. */
  readonly ms: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Streams `pieces` as the import's body (chunked), one every `everyMs`, stopping when the answer comes. */
function pacedImport(url: string, token: string, pieces: readonly string[], everyMs: number): Promise<Answer> {
  return new Promise((resolve) => {
    const started = performance.now();
    let answered = false;
    const req = request(`${url}/directory/import`, {
      method: "POST",
      agent: false,
      headers: { "Content-Type": "application/x-ndjson", Authorization: `Bearer ${token}` },
    });
    req.on("response", (res) => {
      answered = true;
      let text = "";
      res.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text, ms: performance.now() - started }));
      res.on("error", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text, ms: performance.now() - started }));
    });
    // Writing into a connection the server closed fails; the answer (or its absence) is what counts.
    req.on("error", () => {
      if (!answered) resolve({ status: 0, headers: {}, text: "", ms: performance.now() - started });
    });
    req.flushHeaders();
    void (async () => {
      for (const piece of pieces) {
        if (answered || req.destroyed) return;
        req.write(piece);
        await sleep(everyMs);
      }
      if (!answered && !req.destroyed) req.end();
    })();
  });
}

describe("directory import over a slow link", function () {
  this.timeout(30_000);
  let stack: Stack;
  const admin = () => stack.token("client", "admin", { scope: "directory:read directory:write" });

  before(async () => {
    stack = await startStack({ worker: false, env: { REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS), DIRECTORY_IMPORT_MIN_BYTES_PER_SECOND: String(MIN_BYTES_PER_SECOND) } });
  });
  after(async () => stack?.close());

  it("takes a body that streams for longer than REQUEST_TIMEOUT_MS at a pace above the floor", async () => {
    // 40 lines of about 40 bytes, one every 100 ms: about 400 bytes a second for 4 s.
    const lines = Array.from({ length: 40 }, (_, i) => `${JSON.stringify(client(`slow-${i}`))}\n`);
    const answer = await pacedImport(stack.api.url, admin(), lines, 100);
    expect(answer.status, answer.text).to.equal(200);
    expect(answer.ms).to.be.above(REQUEST_TIMEOUT_MS * 2);
    expect(JSON.parse(answer.text)).to.deep.include({ upserted: { client: 40 }, deleted: {} });
    const record = await fetch(`${stack.api.url}/directory/client/slow-39`, { headers: { Authorization: `Bearer ${admin()}` } });
    expect(record.status).to.equal(200);
  });

  it("cuts a body that trickles slower than DIRECTORY_IMPORT_MIN_BYTES_PER_SECOND with 408-100, writing nothing", async () => {
    // 5 bytes every 100 ms: 50 bytes a second, for as long as 20 s if nothing stops it.
    const text = `${JSON.stringify(client("trickled"))}\n`.repeat(20);
    const pieces = text.match(/[^]{1,5}/g)!;
    const answer = await pacedImport(stack.api.url, admin(), pieces, 100);
    expect(answer.status, answer.text).to.equal(408);
    expect(answer.headers.connection).to.equal("close");
    expect(JSON.parse(answer.text)).to.deep.include({ code: "408-100", details: [{ key: "minBytesPerSecond", value: String(MIN_BYTES_PER_SECOND) }] });
    // Cut once REQUEST_TIMEOUT_MS has been waited, long before the trickle would have ended.
    expect(answer.ms).to.be.within(REQUEST_TIMEOUT_MS * 0.9, pieces.length * 100 * 0.5);
    expect(await stack.redis.get(stack.keys.record("client", "trickled"))).to.equal(null);
  });

  it("cuts a body that pauses longer than REQUEST_TIMEOUT_MS with 408-100", async () => {
    const line = `${JSON.stringify(client("paused"))}\n`;
    const answer = await pacedImport(stack.api.url, admin(), [line, line], REQUEST_TIMEOUT_MS * 4);
    expect(answer.status, answer.text).to.equal(408);
    expect(JSON.parse(answer.text)).to.deep.include({ code: "408-100", details: [{ key: "longestPauseMs", value: String(REQUEST_TIMEOUT_MS) }] });
    expect(answer.ms).to.be.within(REQUEST_TIMEOUT_MS * 0.9, REQUEST_TIMEOUT_MS * 4);
  });
});
