/**
 * Names of every Redis key and channel the service owns. All start with the configured
 * `KEY_PREFIX`, so several deployments can share one Redis.
 */
import type { DirectoryKind } from "./directory.js";

/** The BullMQ queue that carries sign jobs; BullMQ's own keys live under `<prefix>:sign:`. */
export const SIGN_QUEUE = "sign";

export interface Keys {
  readonly prefix: string;
  /** Prefix of the directory records; a record's key is this plus `<kind>:<id>`. */
  readonly directory: string;
  record(kind: DirectoryKind, id: string): string;
  /** Short-lived result of one sign job, read by the API when a reply message was missed. */
  result(jobId: string): string;
  /** The pub/sub channel on which one API process receives its replies. */
  replyChannel(instanceId: string): string;
  readonly auditStream: string;
  /** Sorted set of worker ids scored by their last heartbeat (Redis time, ms). */
  readonly workers: string;
  /** Set by every directory import: its absence means this Redis holds no directory (a restart left it empty). */
  readonly directoryImported: string;
  /** One actor's rate-limit state. */
  rateLimit(actorType: string, actorId: string): string;
}

export function keys(prefix: string, auditStream = `${prefix}:audit`): Keys {
  const directory = `${prefix}:dir:`;
  return Object.freeze({
    prefix,
    directory,
    record: (kind: DirectoryKind, id: string) => `${directory}${kind}:${id}`,
    result: (jobId: string) => `${prefix}:result:${jobId}`,
    replyChannel: (instanceId: string) => `${prefix}:reply:${instanceId}`,
    auditStream,
    workers: `${prefix}:workers`,
    directoryImported: `${prefix}:directory-imported`,
    rateLimit: (actorType: string, actorId: string) => `${prefix}:rate:${actorType}:${actorId}`,
  });
}
