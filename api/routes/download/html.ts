/**
 * Browsers following a download link get a refusal as a small HTML page in their language, with
 * the same status as the error body others get: a person sees why the link does not work.
 */
import { ApiError } from "../../errors/catalog.js";
import { errorMessages } from "../../errors/messages/catalog.js";
import { lookupLocale } from "../../errors/messages/lookup.js";
import { DEFAULT_LOCALE } from "../../errors/messages/locales.js";
import { chooseMediaType, negotiate, type MediaType } from "../../middleware/negotiate.js";
import type { Middleware } from "../../state.js";

const HTML = "text/html";

/** Whether an `Accept` value prefers `text/html` to the error bodies' JSON and XML (a browser's does). */
export function prefersHtml(accept: string): boolean {
  if (accept.trim() === "") return false;
  // chooseMediaType ranks any media types; HTML is listed first so that it wins a tie (`*/*` alone does not count: see below).
  const available = [HTML, "application/json", "application/xml"] as unknown as readonly MediaType[];
  return (chooseMediaType(accept, available) as string | undefined) === HTML && /text\/html/i.test(accept);
}

/**
 * The download route's negotiation: a browser gets its language (the default when none is
 * supported, rather than a 406 page) and HTML refusals; any other caller is negotiated as on
 * every other route.
 */
export function downloadNegotiate(): Middleware {
  const others = negotiate();
  return async function downloadNegotiateMiddleware(ctx, next) {
    if (!prefersHtml(ctx.get("Accept"))) return others(ctx, next);
    ctx.state.html = true;
    const locale = lookupLocale(ctx.get("Accept-Language")) ?? DEFAULT_LOCALE;
    ctx.state.locale = locale;
    ctx.set("Content-Language", locale);
    try {
      await next();
    } catch (thrown) {
      if (!(thrown instanceof ApiError)) throw thrown;
      const messages = errorMessages(locale, thrown.code, thrown.details);
      ctx.status = thrown.status;
      for (const [name, value] of Object.entries(thrown.headers)) ctx.set(name, value);
      ctx.set("Content-Security-Policy", "default-src 'none'");
      ctx.type = "text/html; charset=utf-8";
      ctx.body = page(locale, thrown.code, messages.userMessage);
    }
  };
}

function page(locale: string, code: string, message: string): string {
  const text = escapeHtml(message);
  return `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><meta name="robots" content="noindex"><title>${text}</title></head><body><p>${text}</p><p><small>${code}</small></p></body></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
