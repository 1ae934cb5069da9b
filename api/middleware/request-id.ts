import { randomUUID } from "node:crypto";
import type { Middleware } from "../state.js";
import { holdsCredential } from "../caller-text.js";

/** A caller's request id is echoed when it is well formed; otherwise one is made. */
const WELL_FORMED = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The request id goes into the response, every log line and the audit event: a caller's id that
 * is a JWT, or holds the token the request presented, is replaced by a fresh one like a malformed id.
 */
export function requestId(): Middleware {
  return async function requestIdMiddleware(ctx, next) {
    const given = ctx.get("X-Request-Id");
    ctx.state.requestId = WELL_FORMED.test(given) && !holdsCredential(ctx, given) ? given : randomUUID();
    ctx.set("X-Request-Id", ctx.state.requestId);
    await next();
  };
}
