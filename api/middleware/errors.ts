import type { Middleware } from "koa";
import { ApiError, ERROR_CATALOG, formatMessage } from "../../shared/errors.js";
import type { Logger } from "../../shared/log.js";

/**
 * Renders every error as the catalog's body. Anything that is not an {@link ApiError} becomes
 * 500-100 and its cause goes to the log only.
 */
export function errors(log: Logger): Middleware {
  return async function errorsMiddleware(ctx, next) {
    try {
      await next();
    } catch (thrown) {
      let error: ApiError;
      if (thrown instanceof ApiError) {
        error = thrown;
      } else {
        log.error({ err: thrown, requestId: ctx.state.requestId }, "unhandled error");
        error = new ApiError("500-100");
      }
      const entry = ERROR_CATALOG[error.code];
      ctx.status = error.status;
      for (const [name, value] of Object.entries(error.headers)) ctx.set(name, value);
      ctx.body = {
        code: error.code,
        developerMessage: formatMessage(entry.developerMessage, error.details),
        details: error.details,
        ...(wantsUserMessage(ctx.get("X-egain-error-message")) ? { userMessage: formatMessage(entry.userMessage, error.details) } : {}),
      };
    }
  };
}

function wantsUserMessage(header: string): boolean {
  return header.trim().toLowerCase() === "yes";
}

/** Headers every response carries, errors included. */
export function standardHeaders(): Middleware {
  return async function standardHeadersMiddleware(ctx, next) {
    ctx.set("Cache-Control", "no-store");
    ctx.set("X-Content-Type-Options", "nosniff");
    ctx.set("Content-Language", "en-US");
    await next();
  };
}
