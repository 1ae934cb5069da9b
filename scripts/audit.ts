/**
 * `npm run audit -- tail|export`: reads the audit stream as NDJSON, one event a line on stdout.
 * With several queue shards there is one stream per shard (`<AUDIT_STREAM>:{s<n>}`): every command
 * covers all of them, merged in stream-id order (strictly for export; by time within each batch,
 * and strictly within a shard, for tail).
 *
 *   tail [--since T]                 follow the streams (from T, or from now)
 *   tail --group G --consumer C      consume through consumer group G (on every stream), acknowledging each entry
 *   export [--since T] [--until T]   write the entries appended in [T, T) and exit
 *
 * Exit codes: 0 done or stopped (SIGINT/SIGTERM finish the batch in hand), 1 Redis failed,
 * 2 usage or configuration error.
 */
import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "../shared/config.js";
import { keysFor } from "../shared/keys.js";
import { BLOCK_MS, closeLanes, openLanes, type Lane, type StopSignal } from "./audit/follow.js";
import { consumeGroup } from "./audit/group.js";
import { OutputClosed } from "./audit/output.js";
import { exportRange, follow } from "./audit/read.js";
import { connect, RedisFailure } from "./cli-redis.js";

const DEFAULT_COUNT = 100;
const MAX_COUNT = 10_000;
const DEFAULT_CLAIM_IDLE_MS = 60_000;
const MAX_CLAIM_IDLE_MS = 2 ** 31 - 1;
/** Longest wait for one command: a blocking read plus ample time for Redis to answer. */
const COMMAND_TIMEOUT_MS = BLOCK_MS + 10_000;

const USAGE = `usage: npm run -s audit -- tail [--since T] [--count N]
       npm run -s audit -- tail --group NAME --consumer NAME [--claim-idle-ms MS] [--count N]
       npm run -s audit -- export [--since T] [--until T] [--count N]
  tail             follow the audit streams, one event (JSON) a line; stop with Ctrl-C or SIGTERM
  export           write the events appended from --since (inclusive) to --until (exclusive, default now), then exit
  --since, --until ISO 8601 time with a zone, e.g. 2026-11-28T03:00:00Z, or a date (UTC midnight)
  --group          consume through this Redis consumer group (created at each stream's oldest entry if missing);
                   every event is delivered at least once: deduplicate by its "id"
  --consumer       this consumer's name in the group; restart under the same name to get its unacknowledged entries
  --claim-idle-ms  take over entries another consumer left unacknowledged this long (default ${DEFAULT_CLAIM_IDLE_MS})
  --count          entries per read, 1 to ${MAX_COUNT} (default ${DEFAULT_COUNT})
environment: REDIS_URL (default redis://127.0.0.1:6379; redis+cluster://… and redis+sentinel://… too), KEY_PREFIX (default pd),
             AUDIT_STREAM (default <KEY_PREFIX>:audit), QUEUE_SHARDS (default 1, 12 on a cluster)
with QUEUE_SHARDS above 1, or on a cluster, every command reads each shard's stream <AUDIT_STREAM>:{s<n>}, merged by time`;

/** The command line is wrong: exit 2 with the usage. */
class UsageError extends Error {}

type Command =
  | { readonly kind: "help" }
  | { readonly kind: "export"; readonly sinceMs: number | undefined; readonly untilMs: number | undefined; readonly count: number }
  | { readonly kind: "tail"; readonly sinceMs: number | undefined; readonly count: number }
  | { readonly kind: "group"; readonly group: string; readonly consumer: string; readonly claimIdleMs: number; readonly count: number };

const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}))?$/;
// eslint-disable-next-line no-control-regex
const NAME = /^[^\s\u0000-\u001f\u007f]{1,128}$/;

function parseCommand(args: string[]): Command {
  const { values, positionals } = parseOrExplain(args);
  if (values.help === true) return { kind: "help" };
  const [name, ...extra] = positionals;
  if (name === undefined) throw new UsageError("missing subcommand: tail or export");
  if (name !== "tail" && name !== "export") throw new UsageError(`unknown subcommand "${name}": tail or export`);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);

  const count = integer("--count", values.count, DEFAULT_COUNT, 1, MAX_COUNT);
  const sinceMs = time("--since", values.since);
  const grouped = values.group !== undefined || values.consumer !== undefined || values["claim-idle-ms"] !== undefined;
  if (name === "export") {
    if (grouped) throw new UsageError("--group, --consumer and --claim-idle-ms apply to tail only");
    const untilMs = time("--until", values.until);
    if (sinceMs !== undefined && untilMs !== undefined && untilMs < sinceMs) throw new UsageError("--until is before --since");
    return { kind: "export", sinceMs, untilMs, count };
  }
  if (values.until !== undefined) throw new UsageError("--until applies to export only; tail follows until stopped");
  if (!grouped) return { kind: "tail", sinceMs, count };
  if (values.group === undefined || values.consumer === undefined) throw new UsageError("--group and --consumer go together");
  if (sinceMs !== undefined) throw new UsageError("--since does not apply with --group: the group remembers where it is");
  for (const [flag, value] of [["--group", values.group], ["--consumer", values.consumer]] as const) {
    if (!NAME.test(value)) throw new UsageError(`${flag} must be 1 to 128 characters without spaces or control characters`);
  }
  const claimIdleMs = integer("--claim-idle-ms", values["claim-idle-ms"], DEFAULT_CLAIM_IDLE_MS, 0, MAX_CLAIM_IDLE_MS);
  return { kind: "group", group: values.group, consumer: values.consumer, claimIdleMs, count };
}

function parseOrExplain(args: string[]) {
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      options: {
        since: { type: "string" },
        until: { type: "string" },
        group: { type: "string" },
        consumer: { type: "string" },
        "claim-idle-ms": { type: "string" },
        count: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function integer(flag: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(value >= min && value <= max)) throw new UsageError(`${flag} must be a whole number from ${min} to ${max}; got "${raw}"`);
  return value;
}

/** Epoch ms of an ISO 8601 time; a time without a zone is refused as ambiguous. */
function time(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const ms = ISO_TIME.test(raw) ? Date.parse(raw) : Number.NaN;
  if (Number.isNaN(ms)) throw new UsageError(`${flag} must be an ISO 8601 time with a zone (2026-11-28T03:00:00Z) or a date (2026-11-28); got "${raw}"`);
  return ms;
}

/** SIGINT and SIGTERM ask the loop to stop after its batch; a second one exits at once. */
function stopOnSignals(): StopSignal {
  const stop: StopSignal = { requested: false };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (stop.requested) process.exit(1);
      stop.requested = true;
    });
  }
  return stop;
}

async function run(command: Exclude<Command, { kind: "help" }>): Promise<void> {
  const config = loadConfig(process.env, {});
  const streams = keysFor(config).auditStreams;
  const name = `predownload-audit-${command.kind}`;
  const redis = await connect(config.redis, name, COMMAND_TIMEOUT_MS);
  let lanes: Lane[] = [];
  try {
    if (command.kind !== "export") lanes = await openLanes(redis, config.redis, streams, `${name}-read`);
    switch (command.kind) {
      case "export":
        await exportRange(redis, streams, command.sinceMs, command.untilMs ?? Date.now(), command.count);
        return;
      case "tail":
        await follow(redis, lanes, command.sinceMs, command.count, stopOnSignals());
        return;
      case "group":
        await consumeGroup(redis, lanes, { streams, ...command }, stopOnSignals());
        return;
    }
  } catch (error) {
    if (error instanceof OutputClosed) return;
    if (error instanceof RedisFailure) throw error;
    const pending = command.kind === "group" ? "; entries read but not acknowledged stay pending and are delivered again" : "";
    throw new RedisFailure(`reading ${describeStreams(streams)} failed: ${(error as Error).message}${pending}`);
  } finally {
    closeLanes(lanes);
    redis.disconnect();
  }
}

function describeStreams(streams: readonly string[]): string {
  return streams.length === 1 ? streams[0]! : `the ${streams.length} shard streams ${streams[0]} to ${streams[streams.length - 1]}`;
}

async function main(args: string[]): Promise<number> {
  try {
    const command = parseCommand(args);
    if (command.kind === "help") {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    await run(command);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n${USAGE}\n`);
      return 2;
    }
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    if (error instanceof RedisFailure) {
      process.stderr.write(`audit: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

process.exitCode = await main(process.argv.slice(2));
