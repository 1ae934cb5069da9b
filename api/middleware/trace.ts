import type { Middleware } from "../state.js";
import type { Tracing } from "../../shared/runtime/tracing.js";
import { QUIET, ROUTES } from "./observe.js";

/**
 * One server span per request, continuing the caller's W3C `traceparent` (a fresh trace without
 * one); everything the request does runs inside it, the enqueue of its job included. Sets the
 * state's `traceId` for the log line and the audit event. Probes and scrapes are not traced.
 * Installed only when tracing is on.
 */
export function traceRequests(tracing: Tracing): Middleware {
  return async function traceRequestsMiddleware(ctx, next) {
    if (QUIET.has(ctx.path)) return next();
    // Routes by their own name, others by the method alone: span names stay few, whatever the caller sends.
    const route = ROUTES.has(ctx.path) ? ctx.path : undefined;
    const attributes = { "http.request.method": ctx.method, "http.route": route, "url.scheme": ctx.protocol, "predownload.request_id": ctx.state.requestId };
    const parent = { traceparent: ctx.get("traceparent") || undefined, tracestate: ctx.get("tracestate") || undefined };
    await tracing.inSpan(route === undefined ? ctx.method : `${ctx.method} ${route}`, { kind: "server", attributes, parent }, async (span) => {
      if (span.traceId !== null) ctx.state.traceId = span.traceId;
      try {
        await next();
      } finally {
        span.setAttributes({ "http.response.status_code": ctx.status, "predownload.outcome": ctx.state.outcome });
      }
    });
  };
}
