/**
 * One HTTP request on a connection of its own, timed from the first byte sent to the last byte of
 * the answer, and the largest header value Node's parser lets through to the application.
 */
import { request } from "node:http";

export interface TimedAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  /** From sending the request to the end of the answer. */
  readonly ms: number;
}

export interface TimedRequest {
  readonly method?: string;
  readonly path?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
}

/** Sends one request on a fresh connection (no pooling, so requests never queue behind each other). */
export function timedRequest(baseUrl: string, options: TimedRequest = {}): Promise<TimedAnswer> {
  const body = options.body ?? "";
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(`${baseUrl}${options.path ?? "/assets/predownload"}`, {
      method: options.method ?? "POST",
      agent: false,
      headers: { "Content-Type": "application/json", ...options.headers, "Content-Length": String(Buffer.byteLength(body)) },
    });
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8"), ms: performance.now() - started }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

/**
 * The length of the longest value of header `name` that Node still accepts (anything but 431) in a
 * request otherwise like `options`: found by bisection with a value that costs nothing to judge, so
 * that a hostile value of that length can be sent right at the limit.
 */
export async function largestHeaderValue(baseUrl: string, name: string, options: TimedRequest = {}): Promise<number> {
  const accepted = async (length: number) => (await timedRequest(baseUrl, { ...options, headers: { ...options.headers, [name]: "a".repeat(length) } })).status !== 431;
  let low = 0;
  let high = 64 * 1024;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (await accepted(middle)) low = middle;
    else high = middle;
  }
  return low;
}

/** `unit` repeated, then cut, to exactly `length` characters. */
export function filled(unit: string, length: number, prefix = ""): string {
  return (prefix + unit.repeat(Math.ceil(length / unit.length))).slice(0, length);
}
