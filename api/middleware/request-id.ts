import { randomUUID } from "node:crypto";
import type { Middleware } from "koa";

/** A caller's request id is echoed when it is well formed; otherwise one is made. */
const WELL_FORMED = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestId(): Middleware {
  return async function requestIdMiddleware(ctx, next) {
    const given = ctx.get("X-Request-Id");
    ctx.state.requestId = WELL_FORMED.test(given) ? given : randomUUID();
    ctx.set("X-Request-Id", ctx.state.requestId);
    await next();
  };
}
