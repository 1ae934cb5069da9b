/**
 * Grants in Redis: one hash per grant, keyed by its id in the slot of the shard that issued it,
 * expiring with the grant; and per-attachment and per-actor revocation epochs, so that a revocation
 * by attachment or actor needs no scan of grants. An issue reads both epochs before it stores its
 * grant, and the grant keeps them; a revocation raises one (`revocation-epoch-1.lua`); a redeem
 * refuses a grant whose epochs are no longer current. "Issued before the revocation" is thus the
 * order of two operations on one key, not a comparison of two processes' clocks, which may
 * disagree by their measurement's uncertainty (and on a cluster follow different masters).
 */
import type { ActorType, Actor } from "../domain/attachment.js";
import type { RevocationTarget } from "../domain/audit.js";
import type { GrantEpochs, GrantRecord } from "../domain/grant.js";
import type { RedisClient } from "./client.js";
import type { Keys } from "./keys.js";
import { raiseEpochScript, revokeGrantScript } from "./scripts.js";

/** The keys of the two revocation epochs a grant of `altId` issued to `actor` is under. */
function epochKeys(keys: Keys, altId: string, actor: Actor): readonly [string, string] {
  return [keys.revokedAttachment(altId), keys.revokedActor(actor.type, actor.id)];
}

/**
 * The revocation epochs a grant of `altId` for `actor` is issued under: read before the grant is
 * stored (0 where nothing was ever revoked). In other slots than the grant: read one by one (a
 * cluster cannot MGET them), in one round trip.
 */
export async function readEpochs(redis: RedisClient, keys: Keys, altId: string, actor: Actor): Promise<GrantEpochs> {
  const [attachment, byActor] = await Promise.all(epochKeys(keys, altId, actor).map((key) => redis.get(key)));
  return { attachment: Number(attachment ?? 0), actor: Number(byActor ?? 0) };
}

/** Stores a new grant, living until `record.expiresAt`. */
export async function storeGrant(redis: RedisClient, keys: Keys, grantId: string, record: Omit<GrantRecord, "uses" | "revoked" | "epochs"> & { readonly epochs: GrantEpochs }): Promise<void> {
  const key = keys.shardFor(grantId).grant(grantId);
  await redis
    .multi()
    .hset(key, {
      actorType: record.actor.type,
      actorId: record.actor.id,
      altId: record.altId,
      app: record.app,
      type: record.type,
      issuedRequestId: record.issuedRequestId,
      issuedAt: record.issuedAt,
      expiresAt: record.expiresAt,
      max: record.maxUses,
      used: 0,
      // One field, `<attachment>:<actor>`: while nothing was revoked ("0:0") the hash stays in the allocation class it had without it.
      epochs: `${record.epochs.attachment}:${record.epochs.actor}`,
    })
    .pexpireat(key, record.expiresAt)
    .exec();
}

/** A grant as its hash holds it; undefined when it is gone (expired, or never issued). */
export async function readGrant(redis: RedisClient, keys: Keys, grantId: string): Promise<GrantRecord | undefined> {
  const fields = await redis.hgetall(keys.shardFor(grantId).grant(grantId));
  if (fields.actorType === undefined) return undefined;
  return {
    actor: { type: fields.actorType as ActorType, id: fields.actorId! },
    altId: fields.altId!,
    app: fields.app as GrantRecord["app"],
    type: fields.type as GrantRecord["type"],
    issuedRequestId: fields.issuedRequestId!,
    issuedAt: Number(fields.issuedAt),
    expiresAt: Number(fields.expiresAt),
    maxUses: Number(fields.max),
    uses: Number(fields.used),
    revoked: fields.revoked === "1",
    epochs: parseEpochs(fields.epochs),
  };
}

function parseEpochs(stored: string | undefined): GrantEpochs | undefined {
  if (stored === undefined) return undefined;
  const [attachment, actor] = stored.split(":");
  return { attachment: Number(attachment), actor: Number(actor) };
}

/** Whether a revocation by attachment or by actor came after `grant` was issued: an epoch was raised since. */
export async function revokedSinceIssue(redis: RedisClient, keys: Keys, grant: GrantRecord): Promise<boolean> {
  const now = await readEpochs(redis, keys, grant.altId, grant.actor);
  // A grant stored by a release that kept no epochs: its issue time against the epochs, which are at least Redis's time of the revocation.
  if (grant.epochs === undefined) return Math.max(now.attachment, now.actor) >= grant.issuedAt;
  return now.attachment > grant.epochs.attachment || now.actor > grant.epochs.actor;
}

/** Revokes one grant. Resolves 1 when it was live and not yet revoked, else 0. */
export function revokeGrant(redis: RedisClient, keys: Keys, grantId: string): Promise<number> {
  return revokeGrantScript(redis, revocationKey(keys, { grantId }));
}

/**
 * The key a revocation writes: the grant's hash, or the attachment's or the actor's cut-off. On a
 * cluster it may live on another master than the revocation's audit event: its own replicas must
 * acknowledge it too.
 */
export function revocationKey(keys: Keys, target: RevocationTarget): string {
  if ("grantId" in target) return keys.shardFor(target.grantId).grant(target.grantId);
  return "altId" in target ? keys.revokedAttachment(target.altId) : keys.revokedActor(target.actor.type, target.actor.id);
}

/**
 * Revokes every grant of an attachment, or of an actor, issued before this call: raises its epoch.
 * The epoch's key lives as long as any grant issued before it can (`maxTtlSeconds`), and a second more.
 */
export async function raiseEpoch(redis: RedisClient, keys: Keys, target: { readonly altId: string } | { readonly actor: Actor }, maxTtlSeconds: number): Promise<void> {
  await raiseEpochScript(redis, revocationKey(keys, target), maxTtlSeconds * 1000 + 1000);
}
