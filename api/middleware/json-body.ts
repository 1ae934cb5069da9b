import type { Middleware } from "koa";
import { ApiError } from "../../shared/errors.js";

/** Largest accepted request body, in bytes. */
export const MAX_BODY_BYTES = 16 * 1024;

/**
 * Reads a JSON body of at most {@link MAX_BODY_BYTES} into `ctx.state.body`: 415 when it is not
 * JSON, 413 when it is larger (stopping the read there), 400-102 when it does not parse.
 */
export function jsonBody(): Middleware {
  return async function jsonBodyMiddleware(ctx, next) {
    if (!ctx.is("application/json")) throw new ApiError("415-100");
    const declared = Number(ctx.get("Content-Length") || "0");
    if (declared > MAX_BODY_BYTES) throw new ApiError("413-100", [{ key: "limit", value: String(MAX_BODY_BYTES) }]);
    const raw = await readLimited(ctx.req, MAX_BODY_BYTES);
    try {
      ctx.state.body = JSON.parse(raw) as unknown;
    } catch {
      throw new ApiError("400-102");
    }
    await next();
  };
}

async function readLimited(stream: NodeJS.ReadableStream, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    length += buffer.length;
    if (length > limit) throw new ApiError("413-100", [{ key: "limit", value: String(limit) }]);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks, length).toString("utf8");
}
