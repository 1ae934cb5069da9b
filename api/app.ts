/** The Koa application: middleware chain, the endpoint and its OpenAPI document. */
import Router from "@koa/router";
import Koa from "koa";
import { ApiError } from "../shared/errors.js";
import type { RateLimiter } from "../shared/rate-limit.js";
import { live, metricsEndpoint, ready } from "./health.js";
import type { ApiMetrics } from "./metrics.js";
import { errors, standardHeaders } from "./middleware/errors.js";
import { authenticate } from "./middleware/authenticate.js";
import { jsonBody } from "./middleware/json-body.js";
import { negotiate } from "./middleware/negotiate.js";
import { observe } from "./middleware/observe.js";
import { rateLimit } from "./middleware/rate-limit.js";
import { requestId } from "./middleware/request-id.js";
import { jsonOnly, openApiDocument } from "./openapi/route.js";
import { auditRefusals } from "./predownload/audit.js";
import { allowMethods, noQueryParameters, predownload, validate, type PredownloadDeps } from "./predownload/route.js";
import type { VerifyToken } from "./tokens.js";
import type { Durability } from "../shared/durability.js";
import type { Readiness } from "../shared/health.js";
import type { RedisClient } from "../shared/redis.js";
import type { Keys } from "../shared/keys.js";
import type { Logger } from "../shared/log.js";
import type { Registry } from "prom-client";

export interface AppDeps extends PredownloadDeps {
  readonly log: Logger;
  readonly redis: RedisClient;
  /** Where the API's own audit events are appended (WAIT, when asked for, holds this connection). */
  readonly auditRedis: RedisClient;
  readonly durability: Durability;
  readonly keys: Keys;
  readonly verifyToken: VerifyToken;
  readonly rateLimiter: RateLimiter;
  readonly metrics: ApiMetrics;
  readonly registry: Registry;
  /** How long a readiness probe waits for Redis. */
  readonly redisTimeoutMs: number;
  /** What this process knows of its own readiness (its reply subscription, its shard count). */
  readonly local: () => Readiness;
}

/**
 * Each request passes exactly one `negotiate()`: the endpoint's runs inside `auditRefusals` so that a
 * 406 there is audited like any other refusal; other paths negotiate before their own handler.
 */
export function createApp(deps: AppDeps): Koa {
  const app = new Koa();
  const router = new Router();
  router.all(
    "/assets/predownload",
    auditRefusals(deps.auditRedis, deps.keys, deps.durability, deps.log),
    negotiate(),
    allowMethods("POST"),
    noQueryParameters(),
    authenticate(deps.verifyToken),
    rateLimit(deps.rateLimiter),
    jsonBody(),
    validate(),
    predownload(deps),
  );
  router.all("/openapi.json", jsonOnly(), allowMethods("GET", "HEAD"), openApiDocument());
  router.all("/health/live", allowMethods("GET", "HEAD"), live());
  router.all("/health/ready", allowMethods("GET", "HEAD"), ready(deps.redis, deps.keys, deps.redisTimeoutMs, deps.local));
  router.all("/metrics", allowMethods("GET", "HEAD"), metricsEndpoint(deps.registry));

  app.use(requestId());
  app.use(standardHeaders());
  app.use(observe(deps.metrics, deps.log));
  app.use(errors(deps.log));
  app.use(router.routes());
  app.use(negotiate());
  app.use(async function notFound(ctx) {
    throw new ApiError("404-101", [{ key: "path", value: ctx.path }]);
  });
  return app;
}
