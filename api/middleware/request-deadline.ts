import type { Middleware } from "../state.js";

/**
 * The last resort behind every body reader's own deadline (the JSON body's 408-100 at
 * `timeoutMs`): a request whose body has not all arrived a little after `timeoutMs` has its
 * connection closed, whether or not anything reads the body. Node's own `requestTimeout`, which did
 * this, is off because it cannot be lifted for one route: the directory import's body may take
 * longer, paced instead by its reader (`ctx.state.requestDeadline.lift()`, then limited-body.ts).
 */
export function requestDeadline(timeoutMs: number): Middleware {
  const lastResortMs = timeoutMs + Math.min(1000, Math.floor(timeoutMs / 4));
  return async function requestDeadlineMiddleware(ctx, next) {
    const req = ctx.req;
    if (req.complete) return next();
    const timer = setTimeout(() => {
      if (!req.complete) req.socket.destroy();
    }, lastResortMs);
    timer.unref();
    const lift = () => clearTimeout(timer);
    // A body nobody reads is read to its end after the answer (so the connection can serve again): still bounded.
    req.once("end", lift);
    req.once("close", lift);
    ctx.state.requestDeadline = { lift };
    await next();
  };
}
