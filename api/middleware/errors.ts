import type { Middleware } from "../state.js";
import { ApiError } from "../errors/catalog.js";
import type { Logger } from "../../shared/runtime/log.js";
import { errorMessages } from "../errors/messages/catalog.js";
import { DEFAULT_LOCALE } from "../errors/messages/locales.js";
import { callerText } from "../caller-text.js";
import { negotiated, represent } from "./negotiate.js";

/** Longest detail value rendered; longer ones (a path, an attribute name) are cut. */
export const MAX_DETAIL_LENGTH = 256;

/**
 * Renders every error as the catalog's body, in the negotiated media type and locale. Anything
 * that is not an {@link ApiError} becomes 500-100 and its cause goes to the log only. Detail
 * values never carry a credential and hold at most {@link MAX_DETAIL_LENGTH} characters.
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
      const { locale } = negotiated(ctx);
      // Details may quote the caller (a query parameter, a path, an attribute name), so each is
      // cleaned of credentials and bounded here, before it fills a message or the body.
      const details = error.details.map((d) => ({ key: d.key, value: callerText(ctx, d.value, MAX_DETAIL_LENGTH) }));
      const messages = errorMessages(locale, error.code, details);
      ctx.status = error.status;
      for (const [name, value] of Object.entries(error.headers)) ctx.set(name, value);
      ctx.set("Content-Language", locale);
      represent(ctx, "error", {
        code: error.code,
        developerMessage: messages.developerMessage,
        details,
        userMessage: wantsUserMessage(ctx.get("X-egain-error-message")) ? messages.userMessage : undefined,
      });
    }
  };
}

function wantsUserMessage(header: string): boolean {
  return header.trim().toLowerCase() === "yes";
}

/**
 * Headers every response carries, errors included. `Content-Language` starts as the default
 * locale; negotiation replaces it with the chosen one.
 */
export function standardHeaders(): Middleware {
  return async function standardHeadersMiddleware(ctx, next) {
    ctx.set("Cache-Control", "no-store");
    ctx.set("X-Content-Type-Options", "nosniff");
    ctx.set("Vary", "Accept, Accept-Language");
    ctx.set("Content-Language", DEFAULT_LOCALE);
    await next();
  };
}
