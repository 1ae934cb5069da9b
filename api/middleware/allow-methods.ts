import { ApiError } from "../errors/catalog.js";
import type { Middleware } from "../state.js";

/** Refuses a method the route does not serve: 405-100 with `Allow` naming the ones it does. */
export function allowMethods(...methods: string[]): Middleware {
  return async function allowMethodsMiddleware(ctx, next) {
    if (!methods.includes(ctx.method)) {
      throw new ApiError("405-100", [{ key: "method", value: ctx.method }, { key: "allowed", value: methods.join(", ") }], { Allow: methods.join(", ") });
    }
    await next();
  };
}
