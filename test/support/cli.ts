/** Runs one of the project's scripts as its own process, as a user would. */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const TSX = join(ROOT, "node_modules/.bin/tsx");

/** Runs `tsx SCRIPT ARGS` with only PATH and `env` in its environment, feeding `stdin`. */
export function runScript(script: string, args: readonly string[], env: Record<string, string>, stdin = ""): Promise<CliResult> {
  return run(TSX, [script, ...args], env, stdin);
}

/**
 * As {@link runScript}, but as one process (`node --import tsx`, no launcher in between), so that a
 * signal sent to it (SIGSTOP, SIGCONT) reaches the script itself; `started` gets that process.
 */
export function runScriptAlone(script: string, args: readonly string[], env: Record<string, string>, started: (child: ChildProcess) => void): Promise<CliResult> {
  return run(process.execPath, ["--import", "tsx", script, ...args], env, "", started);
}

/** Runs compiled JavaScript, `node FILE ARGS` without tsx, with only PATH and `env` in its environment. */
export function runCompiled(file: string, args: readonly string[], env: Record<string, string>, stdin = ""): Promise<CliResult> {
  return run(process.execPath, [file, ...args], env, stdin);
}

function run(command: string, args: readonly string[], env: Record<string, string>, stdin: string, started?: (child: ChildProcess) => void): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env: { PATH: process.env.PATH ?? "", ...env } });
    started?.(child);
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}
