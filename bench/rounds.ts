/**
 * Two systems compared on a shared, noisy machine: short rounds of load, alternating which system
 * goes first (A B, B A, A B, …), so that drift of the machine (other work, thermal, the collector)
 * touches both alike. What is reported is each system's median over its rounds and the median of
 * the per-round ratios A ÷ B, with their range: one round's ratio compares two runs seconds apart.
 */
import type { RedisClient } from "../shared/redis/client.js";
import { runLoad, type LoadResult } from "./load.js";
import { roundTripDelta, type BenchProcess } from "./processes.js";
import { redisCpuSeconds } from "./redis-cpu.js";
import type { RequestSpec } from "./seed.js";
import { median, spread, type Spread } from "./stats.js";

/** A system under load: where it answers, and the processes whose Redis round trips it makes. */
export interface System {
  readonly name: string;
  readonly url: string;
  readonly processes: readonly BenchProcess[];
}

/** One round of one system. */
export interface Measured {
  readonly load: LoadResult;
  readonly roundTripsPerRequest: number;
  /** Redis's CPU over the round (every client's, so a quiet machine's), per request. */
  readonly redisCpuUsPerRequest: number;
  /** The system's own processes' CPU over the round, per request. */
  readonly cpuUsPerRequest: number;
  /** The same, by process name. */
  readonly cpuUsPerRequestBy: Record<string, number>;
  /** The load generator's CPU (this process's) over the round, per request: the share of the cores the systems do not get. */
  readonly loadCpuUsPerRequest: number;
}

/** A system's rounds at one level, summarized by medians; errors are summed. */
export interface Summary {
  readonly system: string;
  readonly connections: number;
  readonly rounds: number;
  readonly rps: Spread;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly errors: number;
  readonly roundTripsPerRequest: number;
  readonly redisCpuUsPerRequest: number;
  readonly cpuUsPerRequest: number;
  readonly cpuUsPerRequestBy: Record<string, number>;
  readonly loadCpuUsPerRequest: number;
}

export interface Comparison {
  readonly connections: number;
  readonly a: Summary;
  readonly b: Summary;
  /** Per round: A's req/s ÷ B's. */
  readonly throughputRatio: Spread;
  /** Per round: A's p50 ÷ B's. */
  readonly p50Ratio: Spread;
}

export interface RoundOptions {
  readonly connections: number;
  readonly rounds: number;
  readonly durationSeconds: number;
  readonly specs: readonly RequestSpec[];
  /** Redis, for its CPU time. */
  readonly redis: RedisClient;
}

/** One round of load on `system`, with its Redis round trips and Redis CPU. */
export async function measure(system: System, options: Omit<RoundOptions, "rounds">): Promise<Measured> {
  const before = await Promise.all(system.processes.map((p) => p.stats()));
  const cpuBefore = await redisCpuSeconds(options.redis);
  const loadCpu = process.cpuUsage();
  const load = await runLoad({ url: system.url, connections: options.connections, specs: options.specs, durationSeconds: options.durationSeconds });
  const loadCpuUsed = process.cpuUsage(loadCpu);
  const cpuAfter = await redisCpuSeconds(options.redis);
  const after = await Promise.all(system.processes.map((p) => p.stats()));
  const trips = Object.values(roundTripDelta(before, after)).reduce((sum, n) => sum + n, 0);
  const cpuUsPerRequestBy = Object.fromEntries(system.processes.map((p, i) => [p.name, (after[i]!.cpuUs - before[i]!.cpuUs) / load.requests]));
  return {
    load,
    roundTripsPerRequest: trips / load.requests,
    redisCpuUsPerRequest: ((cpuAfter - cpuBefore) * 1e6) / load.requests,
    cpuUsPerRequest: Object.values(cpuUsPerRequestBy).reduce((sum, us) => sum + us, 0),
    cpuUsPerRequestBy,
    loadCpuUsPerRequest: (loadCpuUsed.user + loadCpuUsed.system) / load.requests,
  };
}

/** `rounds` rounds of each system at one level, alternating which goes first. */
export async function alternate(a: System, b: System, options: RoundOptions): Promise<Comparison> {
  const ofA: Measured[] = [];
  const ofB: Measured[] = [];
  for (let round = 0; round < options.rounds; round++) {
    if (round % 2 === 0) {
      ofA.push(await measure(a, options));
      ofB.push(await measure(b, options));
    } else {
      ofB.push(await measure(b, options));
      ofA.push(await measure(a, options));
    }
  }
  return {
    connections: options.connections,
    a: summarize(a.name, options.connections, ofA),
    b: summarize(b.name, options.connections, ofB),
    throughputRatio: spread(ofA.map((m, i) => m.load.rps / ofB[i]!.load.rps)),
    p50Ratio: spread(ofA.map((m, i) => m.load.p50 / ofB[i]!.load.p50)),
  };
}

function summarize(system: string, connections: number, rounds: readonly Measured[]): Summary {
  const of = (pick: (m: Measured) => number) => median(rounds.map(pick));
  return {
    system,
    connections,
    rounds: rounds.length,
    rps: spread(rounds.map((m) => m.load.rps)),
    p50: of((m) => m.load.p50),
    p90: of((m) => m.load.p90),
    p99: of((m) => m.load.p99),
    errors: rounds.reduce((sum, m) => sum + m.load.errors, 0),
    roundTripsPerRequest: of((m) => m.roundTripsPerRequest),
    redisCpuUsPerRequest: of((m) => m.redisCpuUsPerRequest),
    cpuUsPerRequest: of((m) => m.cpuUsPerRequest),
    loadCpuUsPerRequest: of((m) => m.loadCpuUsPerRequest),
    cpuUsPerRequestBy: Object.fromEntries(Object.keys(rounds[0]?.cpuUsPerRequestBy ?? {}).map((name) => [name, of((m) => m.cpuUsPerRequestBy[name] ?? 0)])),
  };
}
