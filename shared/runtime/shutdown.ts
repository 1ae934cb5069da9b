/**
 * One ordered, bounded shutdown for a process. Each part registers its close step when it is
 * created: a name, the longest it may take, and the phase it belongs to. `close()` runs the phases
 * in the order of `SHUTDOWN_PHASES`, and within a phase the steps in reverse order of registration
 * (what was created last goes first), one at a time. A step that runs over its bound is logged
 * and left behind (its `overrun` fallback runs, itself bounded), and the next one starts; a step
 * that fails is logged and the next one starts. Nothing here waits without a bound.
 */
import type { Logger } from "./log.js";

/**
 * When a step runs: `intake` stops taking new work (listeners, timers); `drain` finishes the
 * work in hand; `release` lets go of what the work used (queues, Redis connections).
 */
export const SHUTDOWN_PHASES = ["intake", "drain", "release"] as const;
export type ShutdownPhase = (typeof SHUTDOWN_PHASES)[number];

export interface ShutdownStepOptions {
  /** The longest this step may take before the next one starts. */
  readonly boundMs: number;
  /** Default `release`. */
  readonly phase?: ShutdownPhase;
  /** Runs (bounded by `boundMs` too) when the step ran over, e.g. a forced close. */
  readonly overrun?: () => Promise<unknown> | void;
}

interface Step extends ShutdownStepOptions {
  readonly name: string;
  readonly close: () => Promise<unknown> | void;
}

/** What a step did, in the order the steps ran. */
export interface ShutdownReport {
  readonly name: string;
  readonly phase: ShutdownPhase;
  readonly outcome: "done" | "overran" | "failed";
  readonly elapsedMs: number;
}

export class Shutdown {
  private readonly steps: Step[] = [];
  private closing: Promise<ShutdownReport[]> | undefined;

  constructor(private readonly log: Logger) {}

  /** Registers `close` to run at shutdown; call it where the part it closes is created. */
  add(name: string, close: () => Promise<unknown> | void, options: ShutdownStepOptions): void {
    if (this.closing !== undefined) throw new Error(`shutdown already started; cannot register "${name}"`);
    this.steps.push({ name, close, ...options });
  }

  /** Runs every step once; later calls get the same promise. */
  close(): Promise<ShutdownReport[]> {
    this.closing ??= this.run();
    return this.closing;
  }

  private async run(): Promise<ShutdownReport[]> {
    const reports: ShutdownReport[] = [];
    for (const phase of SHUTDOWN_PHASES) {
      const steps = this.steps.filter((step) => (step.phase ?? "release") === phase).reverse();
      for (const step of steps) reports.push(await this.runStep(step, phase));
    }
    return reports;
  }

  private async runStep(step: Step, phase: ShutdownPhase): Promise<ShutdownReport> {
    const started = performance.now();
    const report = (outcome: ShutdownReport["outcome"]): ShutdownReport => ({ name: step.name, phase, outcome, elapsedMs: Math.round(performance.now() - started) });
    let outcome: "done" | "overran";
    try {
      outcome = await bounded(step.close, step.boundMs);
    } catch (error) {
      this.log.warn({ err: error, step: step.name, phase }, `shutdown step "${step.name}" failed; going on`);
      return report("failed");
    }
    if (outcome === "done") return report("done");
    this.log.warn({ step: step.name, phase, boundMs: step.boundMs }, `shutdown step "${step.name}" did not finish within ${step.boundMs} ms; going on without it`);
    if (step.overrun !== undefined) {
      const fallback = await bounded(step.overrun, step.boundMs).catch(() => "failed" as const);
      if (fallback !== "done") this.log.warn({ step: step.name, phase }, `shutdown step "${step.name}": its fallback did not finish either`);
    }
    return report("overran");
  }
}

/** Runs `action`: "done" when it settles within `ms`, "overran" when it does not; rejects when it fails in time. */
async function bounded(action: () => Promise<unknown> | void, ms: number): Promise<"done" | "overran"> {
  let timer: NodeJS.Timeout | undefined;
  const overran = new Promise<"overran">((resolve) => {
    timer = setTimeout(() => resolve("overran"), ms);
  });
  const done = Promise.resolve().then(action).then(() => "done" as const);
  // A step left behind may still fail later: that is not an unhandled rejection.
  done.catch(() => undefined);
  return Promise.race([done, overran]).finally(() => clearTimeout(timer));
}
