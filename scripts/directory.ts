/**
 * `npm run directory -- import FILE`: validates a whole NDJSON directory file, then writes every
 * record in one Redis transaction. One bad line rejects the file and nothing is written.
 *
 * Exit codes: 0 imported, 1 file rejected or Redis failed, 2 usage or configuration error.
 */
import { open } from "node:fs/promises";
import type { Readable } from "node:stream";
import { parseArgs } from "node:util";
import { ConfigError, loadConfig, type Config } from "../shared/config.js";
import { DIRECTORY_KINDS, type DirectoryEntry } from "../shared/directory.js";
import { MAX_REPORTED_ERRORS, readDirectory, writeDirectory } from "../shared/directory-store.js";
import { keysFor } from "../shared/keys.js";
import { connect, RedisUnreachable } from "./cli-redis.js";

const USAGE = `usage: npm run directory -- import FILE
  FILE  NDJSON directory records, one a line; "-" reads stdin
environment: REDIS_URL (default redis://127.0.0.1:6379), KEY_PREFIX (default pd)`;

/** Longest wait for one command; on one server the transaction's EXEC applies every record of the file at once. */
const REDIS_COMMAND_TIMEOUT_MS = 60_000;

/** The command line is wrong: exit 2 with the usage. */
class UsageError extends Error {}

/** Parses `import FILE`; returns undefined when help was asked for. */
function parseCommand(args: string[]): string | undefined {
  const { values, positionals } = parseOrExplain(args);
  if (values.help === true) return undefined;
  const [command, file, ...extra] = positionals;
  if (command === undefined) throw new UsageError("missing subcommand: the only one is import");
  if (command !== "import") throw new UsageError(`unknown subcommand "${command}": the only one is import`);
  if (file === undefined) throw new UsageError('missing FILE: name an NDJSON file, or "-" to read stdin');
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}": import takes one FILE`);
  return file;
}

function parseOrExplain(args: string[]) {
  try {
    return parseArgs({ args, allowPositionals: true, options: { help: { type: "boolean", short: "h" } } });
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
    return handle.createReadStream({ encoding: "utf8" });
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
  }
}

/** e.g. `upserted 7 (department 1, user 2), deleted 1 (client 1)`. */
function summarize(entries: readonly DirectoryEntry[]): string {
  const part = (deleted: boolean): string => {
    const chosen = entries.filter((entry) => entry.deleted === deleted);
    const perKind = DIRECTORY_KINDS.map((kind) => [kind, chosen.filter((entry) => entry.kind === kind).length] as const)
      .filter(([, count]) => count > 0)
      .map(([kind, count]) => `${kind} ${count}`);
    return perKind.length === 0 ? "0" : `${chosen.length} (${perKind.join(", ")})`;
  };
  return `upserted ${part(false)}, deleted ${part(true)}`;
}

async function importFile(file: string, config: Config): Promise<number> {
  const source = file === "-" ? "stdin" : file;
  const input = await openInput(file);
  const parsed = await readDirectory(input).finally(() => input.destroy());

  if (parsed.errors.length > 0) {
    for (const error of parsed.errors) process.stderr.write(`${error.message}\n`);
    const stopped = parsed.errors.length >= MAX_REPORTED_ERRORS ? ` (stopped looking after ${MAX_REPORTED_ERRORS})` : "";
    const count = parsed.errors.length === 1 ? "1 bad line" : `${parsed.errors.length} bad lines${stopped}`;
    process.stderr.write(`${source} rejected: ${count}; nothing was written. Fix the lines above and import the file again.\n`);
    return 1;
  }
  if (parsed.entries.length === 0) {
    process.stdout.write(`${source} holds no records; nothing was written\n`);
    return 0;
  }

  const redis = await connect(config.redis, "predownload-directory-import", REDIS_COMMAND_TIMEOUT_MS).catch((error: unknown) => {
    if (!(error instanceof RedisUnreachable)) throw error;
    throw new Error(`cannot reach ${error.where} (${error.reason}); nothing was written. Check REDIS_URL and that Redis is running, then import again.`);
  });
  try {
    await writeDirectory(redis, keysFor(config), parsed.entries);
  } catch (error) {
    throw new Error(
      `writing to Redis failed (${(error as Error).message}); an import is safe to repeat, so import the file again once Redis is healthy`,
    );
  } finally {
    redis.disconnect();
  }
  process.stdout.write(`imported ${source} under prefix "${config.keyPrefix}": ${summarize(parsed.entries)}\n`);
  return 0;
}

async function main(args: string[]): Promise<number> {
  try {
    const file = parseCommand(args);
    if (file === undefined) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    return await importFile(file, loadConfig(process.env, {}));
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n${USAGE}\n`);
      return 2;
    }
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nFix the variables above and run the import again.\n`);
      return 2;
    }
    process.stderr.write(`directory import failed: ${(error as Error).message}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
