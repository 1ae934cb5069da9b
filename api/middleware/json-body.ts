import type { IncomingMessage } from "node:http";
import bodyParser from "koa-bodyparser";
import { ApiError } from "../errors/catalog.js";
import type { Middleware } from "../state.js";

/** Largest accepted request body, in bytes. */
export const MAX_BODY_BYTES = 16 * 1024;

/** co-body's option that koa-bodyparser hands on but its types do not list. */
interface CoBodyOptions {
  /** What a `__proto__` key does: `ignore` keeps it as an own property, for the schema to refuse by name (400-105). */
  readonly onProtoPoisoning: "error" | "remove" | "ignore";
}

const options: bodyParser.Options & CoBodyOptions = {
  enableTypes: ["json"],
  // Whether the body is JSON is decided before the parser runs (415-100); it then always parses.
  detectJSON: () => true,
  jsonLimit: `${MAX_BODY_BYTES}b`,
  encoding: "utf-8",
  // co-body's strict mode takes objects and arrays only and reads an empty body as `{}`; the grammar
  // is JSON's either way. Any JSON value parses here, and the endpoint answers a value that is not
  // an object with 400-103, an empty body with 400-102.
  strict: false,
  onProtoPoisoning: "ignore",
};
const parseBody = bodyParser(options);

/**
 * Reads a JSON body of at most {@link MAX_BODY_BYTES} into the state's `body` with koa-bodyparser:
 * 415 when it is not JSON (or declares a charset other than UTF-8), 413 when it is larger (stopping
 * the read there), 400-102 when it is not valid UTF-8, does not parse, is coded (`Content-Encoding`),
 * or ends early because the caller hung up, 408-100 (and the connection closed) when it has not
 * arrived whole within `timeoutMs`.
 */
export function jsonBody(timeoutMs: number): Middleware {
  return async function jsonBodyMiddleware(ctx, next) {
    if (!ctx.is("application/json") || !isUtf8(ctx.request.charset)) throw new ApiError("415-100");
    const declared = Number(ctx.get("Content-Length") || "0");
    if (declared > MAX_BODY_BYTES) throw tooLarge();
    // The parser would inflate a gzip or br body: what was sent is not the JSON text itself.
    if (!["", "identity"].includes(ctx.get("Content-Encoding"))) throw new ApiError("400-102");
    if (ctx.req.destroyed) throw new ApiError("400-102");
    const utf8 = strictUtf8(ctx.req);
    try {
      await within(parseBody(ctx, async () => undefined), ctx.req, timeoutMs);
    } catch (error) {
      throw refusalFor(error, ctx.req);
    } finally {
      utf8.stop();
    }
    if (!utf8.valid() || ctx.request.rawBody === "") throw new ApiError("400-102");
    ctx.state.body = ctx.request.body;
    await next();
  };
}

function tooLarge(): ApiError {
  return new ApiError("413-100", [{ key: "limit", value: String(MAX_BODY_BYTES) }]);
}

/** JSON is UTF-8 (RFC 8259); no charset parameter means UTF-8. */
function isUtf8(charset: string): boolean {
  return charset === "" || charset.toLowerCase() === "utf-8" || charset.toLowerCase() === "utf8";
}

/**
 * The parser's read, bounded: a body still arriving after `timeoutMs` is refused with 408-100 and
 * `Connection: close` (the rest is never read, and the connection ends with the answer instead of
 * waiting for a trickle); a caller that hangs up mid-body sent a truncated body (400-102), also
 * when the request closes without the `aborted` event the parser waits for.
 */
function within(reading: Promise<unknown>, req: IncomingMessage, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const stop = () => {
      clearTimeout(timer);
      req.off("close", onClose);
    };
    const timer = setTimeout(() => {
      stop();
      req.pause();
      reject(new ApiError("408-100", [], { Connection: "close" }));
    }, timeoutMs);
    const onClose = () => {
      if (req.complete) return;
      stop();
      reject(new ApiError("400-102"));
    };
    req.on("close", onClose);
    reading.then(
      () => {
        stop();
        resolve();
      },
      (error: unknown) => {
        stop();
        reject(error);
      },
    );
  });
}

/**
 * The parser's errors as the API's refusals, by their type (raw-body's `type`, the parse's
 * SyntaxError). Past the size limit the parser stops keeping what arrives; the rest is let flow
 * away: destroying the request instead would take the socket from under the 413 answer (and from
 * `ctx.ip`). A read that failed before the body ended is a caller that hung up: a refusal, not a
 * fault of the service (which would log an error and audit one).
 */
function refusalFor(error: unknown, req: IncomingMessage): unknown {
  if (error instanceof ApiError) return error;
  switch (typeof error === "object" && error !== null && "type" in error ? error.type : undefined) {
    case "entity.too.large":
      req.resume();
      return tooLarge();
    case "encoding.unsupported":
      return new ApiError("415-100");
    case "request.aborted":
    case "request.size.invalid":
      return new ApiError("400-102");
  }
  if (error instanceof SyntaxError || !req.complete) return new ApiError("400-102");
  return error;
}

/**
 * Checks the bytes as they arrive. The parser decodes them with iconv-lite, which turns invalid
 * UTF-8 into U+FFFD and drops a leading byte order mark: JSON text has neither (RFC 8259 §8.1).
 */
function strictUtf8(req: IncomingMessage): { stop(): void; valid(): boolean } {
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  let valid = true;
  let started = false;
  const take = (text: string) => {
    if (started || text === "") return;
    started = true;
    if (text.charCodeAt(0) === 0xfeff) valid = false;
  };
  const onData = (chunk: Buffer) => {
    if (!valid) return;
    try {
      take(decoder.decode(chunk, { stream: true }));
    } catch {
      valid = false;
    }
  };
  req.on("data", onData);
  return {
    stop: () => req.off("data", onData),
    valid() {
      if (!valid) return false;
      try {
        take(decoder.decode());
      } catch {
        valid = false;
      }
      return valid;
    },
  };
}
