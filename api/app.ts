/** The Koa application: middleware chain and the one route. */
import Router from "@koa/router";
import Koa from "koa";
import { ApiError } from "../shared/errors.js";
import { errors, standardHeaders } from "./middleware/errors.js";
import { authenticate } from "./middleware/authenticate.js";
import { jsonBody } from "./middleware/json-body.js";
import { requestId } from "./middleware/request-id.js";
import { auditRefusals } from "./predownload/audit.js";
import { allowMethods, noQueryParameters, predownload, validate, type PredownloadDeps } from "./predownload/route.js";
import type { VerifyToken } from "./tokens.js";
import type { Redis } from "ioredis";
import type { Keys } from "../shared/keys.js";
import type { Logger } from "../shared/log.js";

export interface AppDeps extends PredownloadDeps {
  readonly log: Logger;
  readonly redis: Redis;
  readonly keys: Keys;
  readonly verifyToken: VerifyToken;
}

export function createApp(deps: AppDeps): Koa {
  const app = new Koa();
  const router = new Router();
  router.all(
    "/assets/predownload",
    auditRefusals(deps.redis, deps.keys, deps.log),
    allowMethods("POST"),
    noQueryParameters(),
    authenticate(deps.verifyToken),
    jsonBody(),
    validate(),
    predownload(deps),
  );

  app.use(requestId());
  app.use(standardHeaders());
  app.use(errors(deps.log));
  app.use(router.routes());
  app.use(async function notFound(ctx) {
    throw new ApiError("404-101", [{ key: "path", value: ctx.path.slice(0, 256) }]);
  });
  return app;
}
