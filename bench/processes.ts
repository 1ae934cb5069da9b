/** Benchmarked processes: each runs with the Redis round-trip counter preloaded and answers over IPC. */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { preloadFor, ROOT } from "./compiled.js";

export interface ProcessStats {
  readonly roundTrips: Record<string, number>;
  readonly rss: number;
  /** V8 heap in use: what a leak grows, whatever the allocator keeps of RSS. */
  readonly heapUsed: number;
  /** CPU time the process has used so far (user + system), in µs: less swayed by other work on the machine than its throughput. */
  readonly cpuUs: number;
}

export interface BenchProcess {
  readonly name: string;
  readonly child: ChildProcess;
  stats(): Promise<ProcessStats>;
  stop(): Promise<void>;
}

/**
 * Starts `entry` (relative to the repository): a compiled `.js` file with plain Node, a `.ts` one
 * through tsx. With `profileDir`, the process writes V8 CPU profiles (`node --cpu-prof`) into
 * `<profileDir>/<name>/` when it exits.
 */
export function startProcess(name: string, entry: string, env: Record<string, string>, profileDir?: string): BenchProcess {
  // One folder per process: tsx's loader thread writes a profile of its own beside the main thread's (whose name carries thread id 0).
  const profile = profileDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${join(profileDir, name)}`];
  const child = spawn(process.execPath, [...profile, "--expose-gc", ...preloadFor(entry), entry], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  child.once("exit", (code, signal) => {
    if (code !== 0 && signal !== "SIGTERM") console.error(`${name} exited unexpectedly (${signal ?? `code ${code}`})`);
  });
  return {
    name,
    child,
    stats: () =>
      new Promise<ProcessStats>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name} did not answer`)), 5000);
        const onMessage = (message: { type?: string } & ProcessStats) => {
          if (message.type !== "bench:stats") return;
          clearTimeout(timer);
          child.off("message", onMessage);
          resolve({ roundTrips: message.roundTrips, rss: message.rss, heapUsed: message.heapUsed, cpuUs: message.cpuUs });
        };
        child.on("message", onMessage);
        // A child that has exited fails the round instead of taking the benchmark down unhandled.
        child.send("bench:stats", (error) => {
          if (error === null) return;
          clearTimeout(timer);
          child.off("message", onMessage);
          reject(new Error(`${name} is gone: ${error.message}`));
        });
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** Round trips counted between two snapshots of several processes, by label. */
export function roundTripDelta(before: readonly ProcessStats[], after: readonly ProcessStats[]): Record<string, number> {
  const delta: Record<string, number> = {};
  after.forEach((stats, i) => {
    for (const [label, n] of Object.entries(stats.roundTrips)) {
      const d = n - (before[i]?.roundTrips[label] ?? 0);
      if (d > 0) delta[label] = (delta[label] ?? 0) + d;
    }
  });
  return delta;
}
