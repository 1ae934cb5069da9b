import type { Middleware } from "../state.js";
import type { Logger } from "../../shared/runtime/log.js";
import { callerText } from "../caller-text.js";
import type { ApiMetrics } from "../metrics.js";
import { DOWNLOAD_PREFIX, DOWNLOAD_ROUTE } from "../routes/download/route.js";

/** Routes by their own name; everything else shares one label, so callers cannot mint label values. */
export const ROUTES = new Set(["/assets/predownload", "/assets/revocations", "/openapi.json", "/health/live", "/health/ready", "/metrics"]);
/** Probes and scrapes. */
export const QUIET = new Set(["/health/live", "/health/ready", "/metrics"]);

/**
 * Counts and times every answered request, and logs one line for it with its request id. The
 * path is logged without its query string, and an unknown path is cleaned of the presented token
 * like any caller text. Probes and scrapes log at debug level only.
 */
export function observe(metrics: ApiMetrics, log: Logger): Middleware {
  return async function observeMiddleware(ctx, next) {
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      // A download link's path holds its grant, a credential: only the route's name is kept.
      const route = ROUTES.has(ctx.path) ? ctx.path : ctx.path.startsWith(DOWNLOAD_PREFIX) ? DOWNLOAD_ROUTE : "other";
      const outcome = ctx.state.outcome ?? "none";
      metrics.requests.inc({ route, status: String(ctx.status), outcome });
      metrics.duration.observe({ route }, seconds);
      const line = { requestId: ctx.state.requestId, method: ctx.method, path: route === "other" ? callerText(ctx, ctx.path, 256) : route, status: ctx.status, outcome, durationMs: Math.round(seconds * 1e6) / 1000, traceId: ctx.state.traceId };
      if (QUIET.has(route)) log.debug(line, "request");
      else log.info(line, "request");
    }
  };
}
