/**
 * One clock for the fleet: Redis's (`TIME`). Request deadlines, URL signing dates and expiries,
 * audit times and retention windows are read from it, so hosts whose clocks disagree by minutes
 * still agree on them. Each process measures its offset to Redis every
 * {@link CLOCK_SYNC_INTERVAL_MS} (half the round trip allowed for) and applies it; the offset is the
 * metric `predownload_clock_offset_seconds`, and one above `MAX_CLOCK_SKEW_MS` is logged as a
 * warning once a minute.
 */
import { performance } from "node:perf_hooks";
import { ReplyError } from "ioredis";
import { Gauge, type Registry } from "prom-client";
import type { Logger } from "../runtime/log.js";
import type { RedisClient } from "./client.js";

/** How often each process measures its offset to Redis's clock. */
export const CLOCK_SYNC_INTERVAL_MS = 1000;
/** At most one skew warning this often. */
export const SKEW_WARNING_INTERVAL_MS = 60_000;

/** Time by Redis's clock: the local clock plus the last measured offset (none until measured). */
export class Clock {
  private offset = 0;
  private measured = false;
  private markSynced!: () => void;
  /** Resolves once the offset has been measured. */
  readonly synced = new Promise<void>((resolve) => (this.markSynced = resolve));

  /** Epoch ms by Redis's clock. */
  now(): number {
    return Date.now() + this.offset;
  }

  date(): Date {
    return new Date(this.now());
  }

  /** Redis's clock minus this host's, in ms. */
  get offsetMs(): number {
    return this.offset;
  }

  /**
   * Takes one measurement. A sample whose round trip took longer than `maxUncertaintyMs` is
   * dropped once an offset is known: half of it is how wrong it may be.
   */
  record(sample: OffsetSample, maxUncertaintyMs: number): void {
    if (this.measured && sample.roundTripMs > maxUncertaintyMs) return;
    this.offset = Math.round(sample.offsetMs);
    this.measured = true;
    this.markSynced();
  }

  /** Goes on with the local clock until a measurement succeeds: Redis answered `TIME` with an error. */
  giveUp(): void {
    this.markSynced();
  }
}

export interface OffsetSample {
  readonly offsetMs: number;
  readonly roundTripMs: number;
}

/** Asks Redis for its time; the answer is taken as read half-way through the round trip. */
export async function measureOffset(redis: RedisClient): Promise<OffsetSample> {
  const sentAt = Date.now();
  const started = performance.now();
  const [seconds, micros] = (await redis.time()) as Array<string | number>;
  const roundTripMs = performance.now() - started;
  const redisMs = Number(seconds) * 1000 + Number(micros) / 1000;
  return { offsetMs: redisMs - (sentAt + roundTripMs / 2), roundTripMs };
}

export interface ClockSync {
  readonly clock: Clock;
  /** Resolves after the first measurement, whether it worked or not. */
  readonly first: Promise<void>;
  /** Stops measuring (a measurement in flight, which may wait for a Redis that is gone, is left to end by itself). */
  stop(): void;
}

export interface ClockSyncOptions {
  /** `MAX_CLOCK_SKEW_MS`: a larger offset is logged as a warning. */
  readonly maxSkewMs: number;
  /** Where `predownload_clock_offset_seconds` is published. */
  readonly registry: Registry;
  readonly log: Logger;
  readonly intervalMs?: number;
}

/** Measures `redis`'s clock now and then every interval, one measurement at a time. */
export function syncClock(redis: RedisClient, options: ClockSyncOptions): ClockSync {
  const clock = new Clock();
  const intervalMs = options.intervalMs ?? CLOCK_SYNC_INTERVAL_MS;
  new Gauge({
    name: "predownload_clock_offset_seconds",
    help: "Redis's clock minus this host's, as last measured; deadlines, URL dates and expiries follow Redis's",
    registers: [options.registry],
    collect() {
      this.set(clock.offsetMs / 1000);
    },
  });
  let lastWarning = -Infinity;
  let refused = false;
  const measure = async (): Promise<void> => {
    try {
      clock.record(await measureOffset(redis), options.maxSkewMs);
    } catch (error) {
      // Redis is unreachable: the last offset holds; the connection's own errors say why. Redis
      // answered with an error (TIME disabled, LOADING): waiting for an offset would keep workers
      // from every job, so they go on with this host's clock until a measurement succeeds.
      if (error instanceof ReplyError && !refused) {
        refused = true;
        clock.giveUp();
        options.log.warn({ err: error }, "Redis answered TIME with an error: this process follows its own clock until a measurement succeeds");
      }
      return;
    }
    const skew = Math.abs(clock.offsetMs);
    if (skew > options.maxSkewMs && performance.now() - lastWarning >= SKEW_WARNING_INTERVAL_MS) {
      lastWarning = performance.now();
      options.log.warn(
        { offsetMs: clock.offsetMs, maxClockSkewMs: options.maxSkewMs },
        "this host's clock is off Redis's by more than MAX_CLOCK_SKEW_MS; deadlines, URL dates and expiries follow Redis's clock, but the host's time sync needs fixing",
      );
    }
  };
  let running = true;
  let timer: NodeJS.Timeout | undefined;
  const next = () => {
    if (running) timer = setTimeout(() => void measure().finally(next), intervalMs);
  };
  const first = measure().finally(next);
  return {
    clock,
    first,
    stop() {
      running = false;
      clearTimeout(timer);
    },
  };
}
