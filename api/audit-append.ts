/**
 * Appends an audit event the API writes itself (a refusal, an admin call), without failing the
 * request it records: a failed append is logged as failed only when it surely did not happen
 * (Redis refused it, or there was no connection to send it on); one Redis did not answer in time
 * may have been written, and is logged as of unknown outcome. Each kind of failure is logged at
 * most once a second.
 */
import { appendAuditEvent, type AdminEvent, type AuditEvent } from "../shared/domain/audit.js";
import { isConnected, redisErrorCode, type RedisClient } from "../shared/redis/client.js";
import type { Durability } from "../shared/redis/durability.js";
import type { Keys } from "../shared/redis/keys.js";
import type { Logger } from "../shared/runtime/log.js";
import { throttledLog } from "../shared/runtime/throttled-log.js";

/** Appends `event` to the stream of `shardId`'s shard; resolves once written or logged. */
export type AppendLogged = (event: AuditEvent | AdminEvent, shardId: string) => Promise<void>;

export function appendLogged(redis: RedisClient, keys: Keys, durability: Durability, log: Logger): AppendLogged {
  const noisy = throttledLog(log);
  return async function append(event, shardId) {
    const sent = isConnected(redis);
    await appendAuditEvent(redis, keys, durability, event, shardId).then(
      (replicated) => replicated || log.warn({ requestId: event.requestId, outcome: event.outcome }, "audit event written but not yet on a replica"),
      (e: unknown) => {
        const fields = { err: e, requestId: event.requestId, outcome: event.outcome };
        const refused = redisErrorCode(e);
        if (refused !== undefined || !sent) noisy("error", `audit failed:${refused ?? "unreachable"}`, fields, "audit event could not be written");
        else noisy("error", "audit unknown", fields, "audit event outcome unknown: Redis did not answer in time, it may have been written");
      },
    );
  };
}
