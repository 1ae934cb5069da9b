import type { Middleware } from "koa";
import { DEFAULT_LOCALE } from "../../shared/messages/locales.js";
import { OPENAPI_DOCUMENT } from "./document.js";

/** Serves the OpenAPI document, serialized once. It exists in JSON and in English only. */
export function openApiDocument(): Middleware {
  const body = JSON.stringify(OPENAPI_DOCUMENT);
  return async function openApiDocumentHandler(ctx) {
    ctx.set("Content-Language", DEFAULT_LOCALE);
    ctx.type = "application/json; charset=utf-8";
    ctx.body = body;
  };
}
