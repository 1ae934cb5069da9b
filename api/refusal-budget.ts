/**
 * The budget for refusals before a token is accepted, per client address, shared by every API
 * process. Within it each refused request gets its own audit event. Beyond it the answer is
 * 429-001, and the requests of one address in one second share one event: the first one's, written
 * once the second has closed, with `suppressed` = how many more it stands for. The audit stream
 * thus grows with addresses × seconds, not with requests, and every refused request is counted.
 *
 * Counting is exact across processes: each over-budget refusal increments its address-and-second
 * counter in Redis (Redis's clock picks the second), and one script moves a closed second's count
 * into its summary event, removing it in the same step, so no second is summed up twice or lost.
 * Every API process with the budget on runs that script once a second; a second whose processes
 * all stopped is summed up by the next one to run, while its keys live ({@link PENDING_TTL_MS}).
 */
import type { Context } from "./state.js";
import { AUDIT_FIELD, type AdminEvent, type AuditEvent } from "../shared/domain/audit.js";
import type { RateLimitConfig } from "../shared/runtime/config.js";
import type { Durability } from "../shared/redis/durability.js";
import { ApiError } from "./errors/catalog.js";
import type { Keys, ShardKeys } from "../shared/redis/keys.js";
import type { Logger } from "../shared/runtime/log.js";
import { createKeyedRateLimiter, type KeyedRateLimiter } from "./rate-limit.js";
import type { RedisClient } from "../shared/redis/client.js";
import { countRefusal, flushRefusals } from "../shared/redis/scripts.js";

/** How long an unsummed second is kept when no API process is left to sum it up. */
export const PENDING_TTL_MS = 24 * 3600 * 1000;
/** How often each API process sums up closed seconds. */
export const FLUSH_INTERVAL_MS = 1000;
/** Seconds summed up per script call: one call holds Redis for well under a millisecond. */
const FLUSH_BATCH = 200;

/** Whether `error` refuses a request before a token was accepted: the refusals the budget counts. */
export function refusedBeforeAuthentication(ctx: Context, error: unknown): boolean {
  return ctx.state.actor === undefined && error instanceof ApiError && error.status >= 400 && error.status < 500 && error.status !== 429;
}

/** The address under which an address's over-budget admin refusals are summed up (one budget, its own summary). */
export function adminRefusals(address: string): string {
  return `admin ${address}`;
}

/** 429-001 with `Retry-After` (whole seconds, at least 1). */
export function tooManyRefusals(waitMs: number): ApiError {
  const seconds = String(Math.max(1, Math.ceil(waitMs / 1000)));
  return new ApiError("429-001", [{ key: "retryAfter", value: seconds }], { "Retry-After": seconds });
}

export class RefusalBudget {
  private readonly acquire: KeyedRateLimiter;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  /** `redis` is the connection audit events are written on (WAIT, when asked for, holds it). */
  constructor(
    redis: RedisClient,
    private readonly auditRedis: RedisClient,
    private readonly keys: Keys,
    private readonly durability: Durability,
    private readonly log: Logger,
    readonly limits: RateLimitConfig,
  ) {
    this.acquire = createKeyedRateLimiter(redis, limits);
  }

  get enabled(): boolean {
    return this.limits.perSecond > 0;
  }

  /**
   * Charges one refusal to `address`: 0 when it is within the budget (the refusal gets its own
   * event), else how many ms until the address has budget again. A Redis failure charges nothing:
   * the refusal is then answered and recorded as it would be without a budget.
   */
  async charge(address: string): Promise<number> {
    if (!this.enabled) return 0;
    return this.acquire(this.keys.refusalRateLimit(address)).catch(() => 0);
  }

  /**
   * Counts an over-budget refusal of `address`; `event` is kept if it is the first of its second.
   * Admin calls are summed up apart from the endpoint's (see {@link adminRefusals}), so that each
   * summary stands for refusals of one kind of call.
   */
  async count(address: string, event: AuditEvent | AdminEvent): Promise<void> {
    const shard = this.shardOf(address);
    await countRefusal(this.auditRedis, { refusals: shard.refusals, refusalSeconds: shard.refusalSeconds, address, event: JSON.stringify(event), ttlMs: PENDING_TTL_MS });
  }

  /** Sums up every closed second of every shard. Resolves how many summary events were written. */
  async flush(): Promise<number> {
    let written = 0;
    for (const shard of this.keys.shards) {
      let inShard = 0;
      let batch: number;
      do {
        batch = await flushRefusals(this.auditRedis, {
          refusals: shard.refusals,
          refusalSeconds: shard.refusalSeconds,
          auditStream: shard.auditStream,
          limit: FLUSH_BATCH,
          eventField: AUDIT_FIELD,
        });
        inShard += batch;
      } while (batch === FLUSH_BATCH);
      written += inShard;
      if (inShard > 0) {
        const replicated = await this.durability.replicate(this.auditRedis, shard.auditStream);
        if (!replicated) this.log.warn({ shard: shard.index }, "refusal summary events written but not yet on a replica");
      }
    }
    return written;
  }

  /** Sums up closed seconds every {@link FLUSH_INTERVAL_MS} while the budget is on. */
  start(): void {
    if (!this.enabled || this.timer !== undefined) return;
    this.timer = setInterval(() => {
      this.flushing ??= this.flush()
        .then(
          () => undefined,
          (error: unknown) => this.log.warn({ err: error }, "refusal summary events could not be written; retrying in a second"),
        )
        .finally(() => {
          this.flushing = undefined;
        });
    }, FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  /** Stops summing up; waits for a sum in progress. What is left is summed up by another process. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flushing;
  }

  /** The shard whose keys and stream hold `address`'s refusals. */
  private shardOf(address: string): ShardKeys {
    return this.keys.shardFor(address);
  }
}
