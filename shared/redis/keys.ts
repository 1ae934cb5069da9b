/**
 * Names of every Redis key and channel the service owns. All start with the configured
 * `KEY_PREFIX`, so several deployments can share one Redis.
 *
 * Sign jobs are spread over shards. With one shard on one server the names are plain
 * (`<prefix>:sign`, `<prefix>:result:<job>`, `<AUDIT_STREAM>`). With several shards, or on a
 * cluster, each shard's keys carry the hash tag `{s<n>}`: a shard's queue, result keys, audit
 * stream and reply channels share one slot, so the script that writes a result, its audit event
 * and the reply stays on one node, while the shards spread over the cluster's slots.
 */
import type { DirectoryKind } from "../domain/directory.js";
import { SIGN_QUEUE } from "../domain/job.js";

/** The keys of one shard. */
export interface ShardKeys {
  readonly index: number;
  /** BullMQ's `prefix` for this shard's queue. */
  readonly queuePrefix: string;
  /** Short-lived result of one sign job, read by the API when a reply message was missed. */
  result(jobId: string): string;
  /** BullMQ's hash of one sign job (`<queuePrefix>:<queue>:<job>`); it exists as long as the job can run. */
  job(jobId: string): string;
  /** This shard's audit stream. */
  readonly auditStream: string;
  /**
   * Refusals over the unauthenticated budget not yet summed up, by address and second: a hash
   * (`<second>|<address>|n` the count, `<second>|<address>|e` the first one's event) and a sorted
   * set of its `<second>|<address>` members scored by the second. Beside the audit stream, so that
   * one script moves a second's count into its summary event.
   */
  readonly refusals: string;
  readonly refusalSeconds: string;
  /** The channel on which one API process receives this shard's replies. */
  replyChannel(instanceId: string): string;
  /** One grant (`CONTENT_URL_MODE=grant`), by its id (the hash of the grant, never the grant): a hash living until the grant expires. */
  grant(grantId: string): string;
}

export interface Keys {
  readonly prefix: string;
  /** Prefix of the directory records; a record's key is this plus `<kind>:<id>`. */
  readonly directory: string;
  record(kind: DirectoryKind, id: string): string;
  /** `AUDIT_STREAM`: the audit stream itself with one shard, the base name of each shard's stream with several. */
  readonly auditStream: string;
  readonly shards: readonly ShardKeys[];
  /** Every shard's audit stream. */
  readonly auditStreams: readonly string[];
  /** The shard a job (or request) id belongs to. */
  shardFor(id: string): ShardKeys;
  /** Whether replies use shard channels (SPUBLISH/SSUBSCRIBE): on a cluster. */
  readonly shardedReplies: boolean;
  /** Sorted set of worker ids scored by their last heartbeat (Redis time, ms). */
  readonly workers: string;
  /** Set by every directory import: its absence means this Redis holds no directory (a restart left it empty). */
  readonly directoryImported: string;
  /** One actor's rate-limit state. */
  rateLimit(actorType: string, actorId: string): string;
  /** One client address's budget for refusals before a token is accepted. */
  refusalRateLimit(address: string): string;
  /** The `QUEUE_SHARDS` every process on this Redis and prefix uses (see `shard-count.ts`). */
  readonly shardCount: string;
  /** The revocation epoch of one attachment: a grant issued under a lower one is revoked (see `revocation-epoch-1.lua`). */
  revokedAttachment(altId: string): string;
  /** The revocation epoch of one actor: a grant issued to it under a lower one is revoked. */
  revokedActor(actorType: string, actorId: string): string;
}

export interface KeyOptions {
  /** `AUDIT_STREAM`; default `<prefix>:audit`. */
  readonly auditStream?: string;
  /** `QUEUE_SHARDS`; default 1. */
  readonly shards?: number;
  /** On a Redis Cluster: names are hash-tagged even with one shard, and replies go on shard channels. */
  readonly cluster?: boolean;
}

export function keys(prefix: string, options: KeyOptions = {}): Keys {
  const directory = `${prefix}:dir:`;
  const auditStream = options.auditStream ?? `${prefix}:audit`;
  const count = options.shards ?? 1;
  const cluster = options.cluster === true;
  const tagged = count > 1 || cluster;
  const shards = Array.from({ length: count }, (_, index): ShardKeys => {
    if (!tagged) {
      return Object.freeze({
        index,
        queuePrefix: prefix,
        result: (jobId: string) => `${prefix}:result:${jobId}`,
        job: (jobId: string) => `${prefix}:${SIGN_QUEUE}:${jobId}`,
        auditStream,
        refusals: `${prefix}:refused`,
        refusalSeconds: `${prefix}:refused-seconds`,
        replyChannel: (instanceId: string) => `${prefix}:reply:${instanceId}`,
        grant: (grantId: string) => `${prefix}:grant:${grantId}`,
      });
    }
    const tag = `{s${index}}`;
    return Object.freeze({
      index,
      queuePrefix: `${prefix}:${tag}`,
      result: (jobId: string) => `${prefix}:${tag}:result:${jobId}`,
      job: (jobId: string) => `${prefix}:${tag}:${SIGN_QUEUE}:${jobId}`,
      auditStream: `${auditStream}:${tag}`,
      refusals: `${prefix}:${tag}:refused`,
      refusalSeconds: `${prefix}:${tag}:refused-seconds`,
      // Plain pub/sub reaches every node of a cluster; on one server a single channel serves all shards.
      replyChannel: cluster ? (instanceId: string) => `${prefix}:${tag}:reply:${instanceId}` : (instanceId: string) => `${prefix}:reply:${instanceId}`,
      grant: (grantId: string) => `${prefix}:${tag}:grant:${grantId}`,
    });
  });
  return Object.freeze({
    prefix,
    directory,
    record: (kind: DirectoryKind, id: string) => `${directory}${kind}:${id}`,
    auditStream,
    shards,
    auditStreams: shards.map((s) => s.auditStream),
    shardFor: (id: string) => shards[fnv1a(id) % count]!,
    shardedReplies: cluster,
    workers: `${prefix}:workers`,
    directoryImported: `${prefix}:directory-imported`,
    rateLimit: (actorType: string, actorId: string) => `${prefix}:rate:${actorType}:${actorId}`,
    refusalRateLimit: (address: string) => `${prefix}:rate-unauthenticated:${address}`,
    shardCount: `${prefix}:queue-shards`,
    revokedAttachment: (altId: string) => `${prefix}:revoked:attachment:${altId}`,
    revokedActor: (actorType: string, actorId: string) => `${prefix}:revoked:actor:${actorType}:${actorId}`,
  });
}

/** The service's keys for its configuration. */
export function keysFor(config: { keyPrefix: string; auditStream: string; queueShards: number; redis: { kind: string } }): Keys {
  return keys(config.keyPrefix, { auditStream: config.auditStream, shards: config.queueShards, cluster: config.redis.kind === "cluster" });
}

/** 32-bit FNV-1a: cheap, and even enough over random job ids. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
