/**
 * Runs a service entry point (the API, a worker fixture) as its own Node process, as operations
 * would, with IPC so it can tell the test what it is doing.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { ROOT } from "./cli.js";

export interface ServiceProcess {
  readonly child: ChildProcess;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the first IPC message of this type. */
  message(type: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Resolves with the exit code (or signal) once it has exited. */
  exited(): Promise<number | NodeJS.Signals | null>;
}

/** Spawns `entry`: TypeScript through tsx, or compiled JavaScript (a `.js` file) with plain Node. */
export function spawnService(entry: string, env: Record<string, string>): ServiceProcess {
  const loader = entry.endsWith(".js") ? [] : ["--import", "tsx"];
  const child = spawn(process.execPath, [...loader, entry], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...env },
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  let output = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  const exit = once(child, "exit").then(([code, signal]) => (code ?? signal) as number | NodeJS.Signals | null);
  return {
    child,
    output: () => output,
    message: (type, timeoutMs = 30_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no "${type}" message within ${timeoutMs} ms; output:\n${output}`)), timeoutMs);
        const onMessage = (message: Record<string, unknown>) => {
          if (message.type !== type) return;
          clearTimeout(timer);
          child.off("message", onMessage);
          resolve(message);
        };
        child.on("message", onMessage);
      }),
    exited: () => exit,
  };
}
