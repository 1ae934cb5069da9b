import type { Middleware } from "../../state.js";
import { ApiError } from "../../errors/catalog.js";
import { DEFAULT_LOCALE } from "../../errors/messages/locales.js";
import { chooseMediaType, type MediaType } from "../../middleware/negotiate.js";
import { OPENAPI_DOCUMENT } from "./document.js";

/** The one media type the document exists in. */
const DOCUMENT_MEDIA_TYPES: readonly MediaType[] = ["application/json"];

/**
 * Negotiation for a resource that exists in JSON and in en-US only: 406-101 (in JSON) unless
 * `Accept` admits JSON; `Accept-Language` is not consulted, so every answer, errors included, is
 * en-US.
 */
export function jsonOnly(): Middleware {
  return async function jsonOnlyMiddleware(ctx, next) {
    ctx.state.mediaType = DOCUMENT_MEDIA_TYPES[0];
    ctx.state.locale = DEFAULT_LOCALE;
    if (chooseMediaType(ctx.get("Accept"), DOCUMENT_MEDIA_TYPES) === undefined) throw new ApiError("406-101", [{ key: "header", value: "Accept" }]);
    await next();
  };
}

/** Serves the OpenAPI document, serialized once. It exists in JSON and in English only. */
export function openApiDocument(): Middleware {
  const body = JSON.stringify(OPENAPI_DOCUMENT);
  return async function openApiDocumentHandler(ctx) {
    ctx.set("Content-Language", DEFAULT_LOCALE);
    ctx.type = "application/json; charset=utf-8";
    ctx.body = body;
  };
}
