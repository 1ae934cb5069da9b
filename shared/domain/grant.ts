/**
 * Grants (`CONTENT_URL_MODE=grant`): the credential in a download link. A grant is 192 random bits
 * in base64url; Redis, jobs, logs and events know it only by its id, the SHA-256 of the grant in
 * base64url, so that nothing stored can be turned back into a working link.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { Keys } from "../redis/keys.js";
import type { Actor, AttachmentApp, AttachmentType } from "./attachment.js";

const GRANT_BYTES = 24;
/** What a grant looks like: {@link GRANT_BYTES} bytes in base64url, without padding. */
const GRANT_SHAPE = /^[A-Za-z0-9_-]{32}$/;

/** The id of a grant: what Redis, jobs and events know it by. */
export function grantIdOf(grant: string): string {
  return createHash("sha256").update(grant).digest("base64url");
}

/** Whether `text` could be a grant at all; anything else is unknown without a look-up. */
export function isGrantShaped(text: string): boolean {
  return GRANT_SHAPE.test(text);
}

/**
 * A fresh grant whose id falls in shard `shardIndex`, so that the grant's key lives in the slot
 * of the job that issues it (one try with one shard, `QUEUE_SHARDS` tries on average with more).
 */
export function newGrant(keys: Keys, shardIndex: number): { readonly grant: string; readonly grantId: string } {
  for (;;) {
    const grant = randomBytes(GRANT_BYTES).toString("base64url");
    const grantId = grantIdOf(grant);
    if (keys.shardFor(grantId).index === shardIndex) return { grant, grantId };
  }
}

/** A fresh job id in the shard of `grantId`: a redeem's job, result and event sit beside the grant. */
export function jobIdBeside(keys: Keys, grantId: string): string {
  const index = keys.shardFor(grantId).index;
  for (;;) {
    const jobId = randomUUID();
    if (keys.shardFor(jobId).index === index) return jobId;
  }
}

/** What a grant's hash holds: who it was issued to, for what, when, and how often it was used. */
export interface GrantRecord {
  readonly actor: Actor;
  readonly altId: string;
  readonly app: AttachmentApp;
  readonly type: AttachmentType;
  readonly issuedRequestId: string;
  /** Epoch ms (Redis's clock) of the issue. */
  readonly issuedAt: number;
  /** Epoch ms when the grant expires (its key goes with it). */
  readonly expiresAt: number;
  /** Redeems it allows; 0, any number. */
  readonly maxUses: number;
  readonly uses: number;
  readonly revoked: boolean;
  /** The revocation epochs it was issued under (see `shared/redis/grants.ts`); undefined for a grant stored without them. */
  readonly epochs?: GrantEpochs;
}

/** The revocation epochs of a grant's attachment and actor, as read when it was issued. */
export interface GrantEpochs {
  readonly attachment: number;
  readonly actor: number;
}
