/**
 * `npm run directory -- import FILE [--replace]`: validates a whole NDJSON directory file, then
 * writes its records in small atomic batches (directory-import.ts), streaming: memory stays flat
 * whatever the file's size. One bad line rejects the file and nothing is written: the first pass
 * validates the input (FILE or stdin) whole, keeping its normalized records in a temporary file,
 * and only then are they written.
 *
 * Exit codes: 0 imported, 1 file rejected or Redis failed, 2 usage or configuration error.
 */
import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { open } from "node:fs/promises";
import { hostname, userInfo } from "node:os";
import { parseArgs } from "node:util";
import { loadConfig, type Config } from "../shared/runtime/config.js";
import { escapeControlCharacters } from "../shared/domain/control-text.js";
import { DIRECTORY_KINDS, type DirectoryKind } from "../shared/domain/directory.js";
import type { Readable } from "node:stream";
import type { ImportCounts, ImportMode } from "../shared/domain/directory.js";
import { MAX_REPORTED_ERRORS, validateInput, writePlan, type ImportProgress } from "../shared/redis/directory-import.js";
import { replicateEverywhere } from "../shared/redis/durability.js";
import { keysFor } from "../shared/redis/keys.js";
import { connect, RedisUnreachable } from "./redis.js";
import { usageExit, UsageError } from "./usage.js";

const USAGE = `usage: npm run directory -- import FILE [--replace]
  FILE       NDJSON directory records, one a line; "-" reads stdin
  --replace  afterwards the directory holds exactly the file's records: the others are deleted
environment: REDIS_URL (default redis://127.0.0.1:6379), KEY_PREFIX (default pd),
  DIRECTORY_TOMBSTONE_DAYS (default 7)`;

/** Longest wait for one command: one batch of a few hundred records. */
const REDIS_COMMAND_TIMEOUT_MS = 30_000;

interface Command {
  readonly file: string;
  readonly mode: ImportMode;
}

/** Parses `import FILE [--replace]`; returns undefined when help was asked for. */
function parseCommand(args: string[]): Command | undefined {
  const { values, positionals } = parseOrExplain(args);
  if (values.help === true) return undefined;
  const [command, file, ...extra] = positionals;
  if (command === undefined) throw new UsageError("missing subcommand: the only one is import");
  if (command !== "import") throw new UsageError(`unknown subcommand "${command}": the only one is import`);
  if (file === undefined) throw new UsageError('missing FILE: name an NDJSON file, or "-" to read stdin');
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}": import takes one FILE`);
  return { file, mode: values.replace === true ? "replace" : "upsert" };
}

function parseOrExplain(args: string[]) {
  try {
    return parseArgs({ args, allowPositionals: true, options: { help: { type: "boolean", short: "h" }, replace: { type: "boolean" } } });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

async function openInput(file: string): Promise<Readable> {
  if (file === "-") return process.stdin;
  try {
    const handle = await open(file, "r");
    if ((await handle.stat()).isDirectory()) {
      await handle.close();
      throw new UsageError(`cannot read ${file}: it is a directory`);
    }
    return handle.createReadStream();
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
  }
}

function perKind(counts: Partial<Record<DirectoryKind, number>>): string {
  const parts = DIRECTORY_KINDS.filter((kind) => (counts[kind] ?? 0) > 0).map((kind) => `${kind} ${counts[kind]}`);
  const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
  return parts.length === 0 ? "0" : `${total} (${parts.join(", ")})`;
}

/** e.g. `upserted 7 (department 1, user 2), deleted 1 (client 1), unchanged 0, stale 0`. */
function summarize(counts: ImportCounts): string {
  return `upserted ${perKind(counts.upserted)}, deleted ${perKind(counts.deleted)}, unchanged ${counts.unchanged}, stale ${counts.stale}`;
}

/** A status line on a terminal (lines done, rate, time left once the total is known); nothing when stderr is not one. */
function progressReporter(): ((progress: ImportProgress) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  let phase = "";
  let started = Date.now();
  return ({ phase: now, lines, total }) => {
    if (now !== phase) {
      phase = now;
      started = Date.now();
    }
    const seconds = Math.max((Date.now() - started) / 1000, 0.001);
    const rate = lines / seconds;
    const left = total === undefined ? "" : `, ${Math.ceil((total - lines) / rate)} s left`;
    process.stderr.write(`\r${now} ${lines}${total === undefined ? "" : `/${total}`} lines, ${Math.round(rate)}/s${left}   `);
  };
}

/** `<user>@<host>`, as the audit events name the CLI's author. */
function cliAuthor(): string {
  let user = "unknown";
  try {
    user = userInfo().username;
  } catch {
    // A container user with no passwd entry has no name.
  }
  return `${user}@${hostname()}`;
}

/**
 * Removes the import's temporary folder when a signal ends the process (Ctrl-C, a stop), which
 * skips every `finally`; the process then exits as the signal would have ended it.
 */
function removedOnSignal(path: string): void {
  for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143], ["SIGHUP", 129]] as const) {
    process.once(signal, () => {
      rmSync(path, { recursive: true, force: true });
      process.exit(code);
    });
  }
}

async function importFile({ file, mode }: Command, config: Config): Promise<number> {
  const source = file === "-" ? "stdin" : file;
  const input = await openInput(file);
  const onProgress = progressReporter();
  const validation = await validateInput(input, onProgress, { onTemporaryFolder: removedOnSignal });
  try {
    if (validation.errors.length > 0) {
      if (onProgress !== undefined) process.stderr.write("\n");
      // Messages quote the file; a control character in it must not reach the terminal raw.
      for (const error of validation.errors) process.stderr.write(`${escapeControlCharacters(error.message)}\n`);
      const stopped = validation.errors.length >= MAX_REPORTED_ERRORS ? ` (stopped looking after ${MAX_REPORTED_ERRORS})` : "";
      const count = validation.errors.length === 1 ? "1 bad line" : `${validation.errors.length} bad lines${stopped}`;
      process.stderr.write(`${source} rejected: ${count}; nothing was written. Fix the lines above and import the file again.\n`);
      return 1;
    }
    // An empty snapshot would delete the whole directory: more likely a mistake than a wish.
    if (validation.records === 0) {
      process.stdout.write(`${source} holds no records; nothing was written\n`);
      return 0;
    }

    // The last command may be a WAIT for the replicas, which takes up to REDIS_WAIT_TIMEOUT_MS of its own.
    const redis = await connect(config.redis, "predownload-directory-import", REDIS_COMMAND_TIMEOUT_MS + config.redisWaitTimeoutMs).catch((error: unknown) => {
      if (!(error instanceof RedisUnreachable)) throw error;
      throw new Error(`cannot reach ${error.where} (${error.reason}); nothing was written. Check REDIS_URL and that Redis is running, then import again.`);
    });
    let counts: ImportCounts;
    try {
      counts = await writePlan(redis, keysFor(config), validation, {
        mode,
        audit: { by: { type: "cli", id: cliAuthor() }, requestId: randomUUID() },
        tombstoneSeconds: config.directoryTombstoneDays * 86_400,
        onProgress,
      });
      if (!(await replicateEverywhere(redis, config.redisWaitReplicas, config.redisWaitTimeoutMs))) {
        process.stderr.write(`warning: the import is written, but not yet acknowledged by ${config.redisWaitReplicas} replica(s) of every master (REDIS_WAIT_REPLICAS) within ${config.redisWaitTimeoutMs} ms\n`);
      }
    } catch (error) {
      throw new Error(
        `writing to Redis failed (${(error as Error).message}); an import is safe to repeat, so import the file again once Redis is healthy`,
      );
    } finally {
      redis.disconnect();
    }
    if (onProgress !== undefined) process.stderr.write("\n");
    const replaced = mode === "replace" ? " (replace)" : "";
    process.stdout.write(`imported ${source}${replaced} under prefix "${config.keyPrefix}": ${summarize(counts)}\n`);
    return 0;
  } finally {
    await validation.remove();
  }
}

async function main(args: string[]): Promise<number> {
  try {
    const command = parseCommand(args);
    if (command === undefined) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    return await importFile(command, loadConfig(undefined, {}));
  } catch (error) {
    const usage = usageExit(error, USAGE, "Fix the variables above and run the import again.");
    if (usage !== undefined) return usage;
    process.stderr.write(`directory import failed: ${escapeControlCharacters((error as Error).message)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
