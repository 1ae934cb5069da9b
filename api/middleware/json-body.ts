import type { IncomingMessage } from "node:http";
import type { Middleware } from "koa";
import { ApiError } from "../../shared/errors.js";

/** Largest accepted request body, in bytes. */
export const MAX_BODY_BYTES = 16 * 1024;

/**
 * Reads a JSON body of at most {@link MAX_BODY_BYTES} into `ctx.state.body`: 415 when it is not
 * JSON (or declares a charset other than UTF-8), 413 when it is larger (stopping the read there),
 * 400-102 when it is not valid UTF-8, does not parse, or ends early because the caller hung up.
 */
export function jsonBody(): Middleware {
  return async function jsonBodyMiddleware(ctx, next) {
    if (!ctx.is("application/json") || !isUtf8(ctx.request.charset)) throw new ApiError("415-100");
    const declared = Number(ctx.get("Content-Length") || "0");
    if (declared > MAX_BODY_BYTES) throw new ApiError("413-100", [{ key: "limit", value: String(MAX_BODY_BYTES) }]);
    const raw = await readLimited(ctx.req, MAX_BODY_BYTES);
    try {
      ctx.state.body = JSON.parse(UTF8.decode(raw)) as unknown;
    } catch {
      throw new ApiError("400-102");
    }
    await next();
  };
}

/** Fatal: invalid bytes are refused rather than silently turned into U+FFFD. */
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** JSON is UTF-8 (RFC 8259); no charset parameter means UTF-8. */
function isUtf8(charset: string): boolean {
  return charset === "" || charset.toLowerCase() === "utf-8" || charset.toLowerCase() === "utf8";
}

/**
 * Reads at most `limit` bytes. Past the limit it stops keeping what arrives and lets the rest flow
 * away: destroying the request instead would take the socket from under the 413 answer (and from
 * `ctx.ip`), which a chunked body without a declared length would otherwise reach.
 */
function readLimited(stream: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const stop = () => {
      stream.off("data", onData);
      stream.off("end", onEnd);
      stream.off("error", onError);
      stream.off("close", onError);
    };
    const onData = (chunk: Buffer) => {
      length += chunk.length;
      if (length <= limit) {
        chunks.push(chunk);
        return;
      }
      stop();
      stream.resume();
      reject(new ApiError("413-100", [{ key: "limit", value: String(limit) }]));
    };
    const onEnd = () => {
      stop();
      resolve(Buffer.concat(chunks, length));
    };
    // A caller that hangs up mid-body sent a truncated body: a refusal, not a fault of the service
    // (which would log an error and audit one), and never a promise left pending.
    const onError = () => {
      stop();
      reject(new ApiError("400-102"));
    };
    if (stream.destroyed) {
      onError();
      return;
    }
    stream.on("data", onData);
    stream.on("end", onEnd);
    stream.on("error", onError);
    stream.on("close", onError);
  });
}
