/**
 * `POST /assets/revocations` (scope `grants:revoke`): revokes one grant, every grant of an
 * attachment, or every grant issued to an actor, for every process from the next redeem on. A
 * grant is revoked in its own hash (and counted); an attachment or an actor gets its revocation
 * epoch raised, which each redeem compares with the epoch its grant was issued under (see
 * `shared/redis/grants.ts`), so nothing is scanned and the call reports 0 for them. Every grant
 * whose issue finished before the call is revoked; every grant issued after the answer works.
 */
import { ACTOR_TYPES, type Actor, type ActorType } from "../../../shared/domain/attachment.js";
import { appendAuditEvent, revocationEvent, type RevocationTarget } from "../../../shared/domain/audit.js";
import { grantIdOf, isGrantShaped } from "../../../shared/domain/grant.js";
import type { Clock } from "../../../shared/redis/clock.js";
import type { RedisClient } from "../../../shared/redis/client.js";
import type { Durability } from "../../../shared/redis/durability.js";
import { raiseEpoch, revocationKey, revokeGrant } from "../../../shared/redis/grants.js";
import type { Keys } from "../../../shared/redis/keys.js";
import type { Logger } from "../../../shared/runtime/log.js";
import { ApiError } from "../../errors/catalog.js";
import { represent } from "../../middleware/negotiate.js";
import { required, type Middleware } from "../../state.js";

/** What a revocation names, as the body says it (the grant itself, in clear, only here). */
export type RevocationRequest = { readonly grant: string } | { readonly altId: string } | { readonly actor: Actor };

const FIELDS = ["grant", "altId", "actor"] as const;
const ID = /^[^\u0000-\u001f\u007f-\u009f]{1,256}$/;

/** The body: exactly one of `grant`, `altId` or `actor` (`{"type","id"}`). */
export function parseRevocation(body: unknown): RevocationRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new ApiError("400-103");
  const record = body as Record<string, unknown>;
  for (const key of Object.keys(record)) if (!(FIELDS as readonly string[]).includes(key)) throw new ApiError("400-105", [{ key: "attribute", value: key }]);
  const present = FIELDS.filter((f) => record[f] !== undefined);
  if (present.length === 0) throw new ApiError("400-104", [{ key: "attribute", value: "grant" }]);
  if (present.length > 1) throw new ApiError("400-152", [{ key: "attribute", value: present[1]! }]);
  const invalid = (attribute: string) => new ApiError("400-152", [{ key: "attribute", value: attribute }]);
  if (record.grant !== undefined) {
    // Any string is accepted as a grant: one that is not a live grant revokes nothing.
    if (typeof record.grant !== "string" || record.grant.length > 256) throw invalid("grant");
    return { grant: record.grant };
  }
  if (record.altId !== undefined) {
    if (typeof record.altId !== "string" || !ID.test(record.altId)) throw invalid("altId");
    return { altId: record.altId };
  }
  const actor = record.actor as Record<string, unknown> | null;
  if (typeof actor !== "object" || actor === null || Array.isArray(actor) || Object.keys(actor).some((k) => k !== "type" && k !== "id")) throw invalid("actor");
  if (typeof actor.type !== "string" || !(ACTOR_TYPES as readonly string[]).includes(actor.type)) throw invalid("actor.type");
  if (typeof actor.id !== "string" || !ID.test(actor.id)) throw invalid("actor.id");
  return { actor: { type: actor.type as ActorType, id: actor.id } };
}

export interface RevocationDeps {
  /** Where grants, epochs and the event are written (WAIT, when asked for, holds this connection). */
  readonly auditRedis: RedisClient;
  readonly keys: Keys;
  readonly durability: Durability;
  readonly clock: Clock;
  /** `SIGNED_URL_MAX_TTL_SECONDS`: no grant lives longer, so neither need a raised epoch. */
  readonly maxTtlSeconds: number;
  readonly log: Logger;
}

export function revocations(deps: RevocationDeps): Middleware {
  return async function revocationsHandler(ctx) {
    const request = parseRevocation(ctx.state.body);
    const by = required(ctx, "actor");
    let revoked = 0;
    const target: RevocationTarget = "grant" in request ? { grantId: grantIdOf(request.grant) } : request;
    ctx.state.revocationTarget = target;
    if ("grant" in request) {
      if (isGrantShaped(request.grant) && "grantId" in target) revoked = await revokeGrant(deps.auditRedis, deps.keys, target.grantId);
    } else {
      await raiseEpoch(deps.auditRedis, deps.keys, request, deps.maxTtlSeconds);
    }
    const event = revocationEvent({ by: { type: "client", id: by.id }, target, revoked, requestId: ctx.state.requestId, traceId: ctx.state.traceId ?? null }, new Date(deps.clock.now()));
    // The revocation and its event each on a replica before the answer: on a cluster they may live
    // on different masters, and a failover must not bring a revoked grant back.
    const [eventReplicated, revocationReplicated] = await Promise.all([
      appendAuditEvent(deps.auditRedis, deps.keys, deps.durability, event, ctx.state.requestId),
      deps.durability.replicate(deps.auditRedis, revocationKey(deps.keys, target)),
    ]);
    ctx.state.audited = true;
    if (!eventReplicated || !revocationReplicated) deps.log.warn({ requestId: ctx.state.requestId }, "revocation answered before a replica acknowledged it or its event");
    represent(ctx, "revocation", { revoked });
  };
}
