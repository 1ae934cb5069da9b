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
import type { DirectoryKind } from "./directory.js";

/** The BullMQ queue that carries sign jobs; its keys live under `<shard queuePrefix>:sign:`. */
export const SIGN_QUEUE = "sign";

/** The keys of one shard. */
export interface ShardKeys {
  readonly index: number;
  /** BullMQ's `prefix` for this shard's queue. */
  readonly queuePrefix: string;
  /** Short-lived result of one sign job, read by the API when a reply message was missed. */
  result(jobId: string): string;
  /** This shard's audit stream. */
  readonly auditStream: string;
  /** The channel on which one API process receives this shard's replies. */
  replyChannel(instanceId: string): string;
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
  /** The `QUEUE_SHARDS` every process on this Redis and prefix uses (see `shard-count.ts`). */
  readonly shardCount: string;
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
        auditStream,
        replyChannel: (instanceId: string) => `${prefix}:reply:${instanceId}`,
      });
    }
    const tag = `{s${index}}`;
    return Object.freeze({
      index,
      queuePrefix: `${prefix}:${tag}`,
      result: (jobId: string) => `${prefix}:${tag}:result:${jobId}`,
      auditStream: `${auditStream}:${tag}`,
      // Plain pub/sub reaches every node of a cluster; on one server a single channel serves all shards.
      replyChannel: cluster ? (instanceId: string) => `${prefix}:${tag}:reply:${instanceId}` : (instanceId: string) => `${prefix}:reply:${instanceId}`,
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
    shardCount: `${prefix}:queue-shards`,
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
