/**
 * What `npm start` started, and the one way it all stops: in reverse order of starting, on Ctrl-C,
 * SIGTERM, a startup failure or the unexpected death of a child process.
 */
import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import { forwardPretty, type LogFormat } from "./log-output.js";

/** How long a child may take to finish its work after SIGTERM before it is killed. */
const CHILD_STOP_TIMEOUT_MS = 15_000;

interface Owned {
  readonly name: string;
  stop(): Promise<void>;
}

/** Owns the parts of one `npm start` run and decides its exit code. */
export class Supervisor {
  private readonly owned: Owned[] = [];
  private readonly children = new Set<ChildProcess>();
  private readonly controller = new AbortController();
  private failureReason: string | undefined;

  /** Aborted once stopping has been asked for; startup waits listen to it. */
  readonly signal = this.controller.signal;

  constructor() {
    for (const name of ["SIGINT", "SIGTERM"] as const) process.on(name, () => this.controller.abort());
    // Last resort for a crash of this process: children run in their own process groups, so nothing
    // else would stop them.
    process.once("exit", () => {
      for (const child of this.children) if (isRunning(child)) child.kill("SIGKILL");
    });
  }

  /** Why the run failed, or undefined when it is stopping (or stopped) cleanly. */
  get failure(): string | undefined {
    return this.failureReason;
  }

  /** Stops everything with a non-zero exit; ignored when already stopping. */
  fail(reason: string): void {
    if (this.signal.aborted) return;
    this.failureReason = reason;
    this.controller.abort();
  }

  /** Registers something to stop at the end, after everything registered later. */
  own(name: string, stop: () => Promise<void>, child?: ChildProcess): void {
    this.owned.push({ name, stop });
    if (child !== undefined) this.children.add(child);
  }

  /**
   * Runs a TypeScript entry point in a child Node process, in its own process group so that a
   * terminal's Ctrl-C reaches only this process, which then stops the children in order. Its log
   * lines (stdout) reach ours as it writes them (`json`) or made readable (`pretty`).
   */
  spawnNode(name: string, entry: string, env: NodeJS.ProcessEnv, cwd: string, logs: LogFormat = "json"): ChildProcess {
    const stdio: StdioOptions = logs === "json" ? "inherit" : ["inherit", "pipe", "inherit"];
    const child = spawn(process.execPath, ["--import", "tsx", entry], { cwd, env, stdio, detached: true });
    if (logs === "pretty") forwardPretty(child.stdout!, process.stdout);
    child.once("error", (error) => this.fail(`cannot start the ${name}: ${error.message}`));
    child.once("exit", (code, signal) => this.fail(`the ${name} exited unexpectedly (${signal ?? `code ${code}`})`));
    this.own(name, () => stopChild(child), child);
    return child;
  }

  /** Resolves once stopping has been asked for. */
  async untilStopped(): Promise<void> {
    if (this.signal.aborted) return;
    await new Promise((resolve) => this.signal.addEventListener("abort", resolve, { once: true }));
  }

  /** Stops everything owned, last started first; returns the exit code for this run. */
  async stopAll(): Promise<number> {
    this.controller.abort();
    let clean = true;
    for (const owned of [...this.owned].reverse()) {
      try {
        await owned.stop();
      } catch (error) {
        clean = false;
        console.error(`could not stop the ${owned.name} cleanly: ${(error as Error).message}`);
      }
    }
    return this.failureReason === undefined && clean ? 0 : 1;
  }
}

function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** SIGTERM, then SIGKILL after the timeout. @throws Error when the child did not stop cleanly. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (!isRunning(child)) return;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), CHILD_STOP_TIMEOUT_MS);
  const { code, signal } = await exited;
  clearTimeout(timer);
  // Death by SIGTERM itself means the child was still starting, before it had a handler: nothing to finish.
  if (code === 0 || signal === "SIGTERM") return;
  throw new Error(signal === "SIGKILL" ? `still running ${CHILD_STOP_TIMEOUT_MS} ms after SIGTERM; killed` : `exited with ${signal ?? `code ${code}`}`);
}
