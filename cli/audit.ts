/**
 * `npm run audit -- tail|export`: reads the audit stream as NDJSON, one event a line on stdout.
 * With several queue shards there is one stream per shard (`<AUDIT_STREAM>:{s<n>}`): every command
 * covers all of them, merged in stream-id order (strictly for export; by time within each batch,
 * and strictly within a shard, for tail).
 *
 *   tail [--since T]                 follow the streams (from T, or from now)
 *   tail --group G --consumer C      consume through consumer group G (on every stream), acknowledging each entry
 *   export [--since T] [--until T]   write the entries appended in [T, T) and exit
 *   export --with-seals              write every entry and checkpoint, for verify --input
 *   verify [--public-key FILE]... [--from ID] [--input FILE]
 *                                    check the streams (or an export) against their signed checkpoints
 *   public-key                       print the public key of AUDIT_SEAL_KEY_FILE (PEM)
 *
 * Exit codes: 0 done or stopped (SIGINT/SIGTERM finish the batch in hand), 1 Redis failed or
 * verify found a break, 2 usage or configuration error.
 */
import { accessSync, constants } from "node:fs";
import { parseArgs } from "node:util";
import { loadConfig } from "../shared/runtime/config.js";
import { keysFor } from "../shared/redis/keys.js";
import { BLOCK_MS, closeLanes, openLanes, type Lane, type StopSignal } from "./audit/follow.js";
import { consumeGroup } from "./audit/group.js";
import { OutputClosed } from "./audit/output.js";
import { exportRange, follow } from "./audit/read.js";
import { exportWithSeals } from "./audit/sealed-export.js";
import { InputError, summarize, verifyFile, verifyLive } from "./audit/verify.js";
import { loadSealKey, loadVerificationKey, SealKeyError, type VerificationKey } from "../shared/runtime/seal-key.js";
import { connect, RedisFailure } from "./redis.js";
import { usageExit, UsageError } from "./usage.js";

const DEFAULT_COUNT = 100;
const MAX_COUNT = 10_000;
const DEFAULT_CLAIM_IDLE_MS = 60_000;
const MAX_CLAIM_IDLE_MS = 2 ** 31 - 1;
/** Longest wait for one command: a blocking read plus ample time for Redis to answer. */
const COMMAND_TIMEOUT_MS = BLOCK_MS + 10_000;

const USAGE = `usage: npm run -s audit -- tail [--since T] [--count N]
       npm run -s audit -- tail --group NAME --consumer NAME [--claim-idle-ms MS] [--count N]
       npm run -s audit -- export [--since T] [--until T] [--count N]
       npm run -s audit -- export --with-seals [--count N]
       npm run -s audit -- verify [--public-key FILE]... [--from ID] [--input FILE]
       npm run -s audit -- public-key
  tail             follow the audit streams, one event (JSON) a line; stop with Ctrl-C or SIGTERM
  export           write the events appended from --since (inclusive) to --until (exclusive, default now), then exit
  export --with-seals  write every entry and checkpoint ({"stream","id","event"} / {"stream","seal"}), for verify --input
  verify           check the streams, or with --input an export --with-seals file, against their signed checkpoints:
                   exit 0 with a summary when intact, 1 naming the first break of each stream
  --public-key     an Ed25519 public key (PEM) checkpoints may be signed with; repeat it for several keys
                   (default: the public half of AUDIT_SEAL_KEY_FILE)
  --from           start at the checkpoint interval holding this stream id (<ms>-<seq>)
  public-key       print the public key of AUDIT_SEAL_KEY_FILE (PEM), to hand to whoever verifies
  --since, --until ISO 8601 time with a zone, e.g. 2026-11-28T03:00:00Z, or a date (UTC midnight)
  --group          consume through this Redis consumer group (created at each stream's oldest entry if missing);
                   every event is delivered at least once: deduplicate by its "id"
  --consumer       this consumer's name in the group; restart under the same name to get its unacknowledged entries
  --claim-idle-ms  take over entries another consumer left unacknowledged this long (default ${DEFAULT_CLAIM_IDLE_MS})
  --count          entries per read, 1 to ${MAX_COUNT} (default ${DEFAULT_COUNT})
environment: REDIS_URL (default redis://127.0.0.1:6379; redis+cluster://… and redis+sentinel://… too), KEY_PREFIX (default pd),
             AUDIT_STREAM (default <KEY_PREFIX>:audit), QUEUE_SHARDS (default 1, 12 on a cluster)
with QUEUE_SHARDS above 1, or on a cluster, every command reads each shard's stream <AUDIT_STREAM>:{s<n>}, merged by time`;

type Command =
  | { readonly kind: "help" }
  | { readonly kind: "public-key" }
  | { readonly kind: "verify"; readonly publicKeys: readonly string[]; readonly fromId: string | undefined; readonly input: string | undefined }
  | { readonly kind: "sealed-export"; readonly count: number }
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
  if (name === undefined) throw new UsageError("missing subcommand: tail, export, verify or public-key");
  if (!["tail", "export", "verify", "public-key"].includes(name)) throw new UsageError(`unknown subcommand "${name}": tail, export, verify or public-key`);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const sealing = values["public-key"] !== undefined || values.from !== undefined || values.input !== undefined;
  if (sealing && name !== "verify") throw new UsageError("--public-key, --from and --input apply to verify only");
  if (values["with-seals"] === true && name !== "export") throw new UsageError("--with-seals applies to export only");

  const count = integer("--count", values.count, DEFAULT_COUNT, 1, MAX_COUNT);
  if (name === "public-key" || name === "verify") {
    const others = (["since", "until", "group", "consumer", "claim-idle-ms"] as const).filter((option) => values[option] !== undefined);
    if (others.length > 0) throw new UsageError(`--${others[0]} does not apply to ${name}`);
    if (values.count !== undefined) throw new UsageError(`--count does not apply to ${name}`);
    if (name === "public-key") return { kind: "public-key" };
    if (values.from !== undefined && !/^\d{1,20}(-\d{1,20})?$/.test(values.from)) throw new UsageError(`--from must be a stream id (<ms>-<seq>); got "${values.from}"`);
    const fromId = values.from === undefined ? undefined : values.from.includes("-") ? values.from : `${values.from}-0`;
    return { kind: "verify", publicKeys: values["public-key"] ?? [], fromId, input: values.input };
  }
  if (values["with-seals"] === true) {
    if (values.since !== undefined || values.until !== undefined || values.group !== undefined || values.consumer !== undefined) throw new UsageError("--with-seals exports whole streams: no --since, --until or --group");
    return { kind: "sealed-export", count };
  }
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
        "with-seals": { type: "boolean" },
        "public-key": { type: "string", multiple: true },
        from: { type: "string" },
        input: { type: "string" },
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

/** The keys verify accepts, by key id: the files given, else the public half of AUDIT_SEAL_KEY_FILE. */
function verificationKeys(files: readonly string[], sealKeyFile: string | undefined): Map<string, VerificationKey> {
  const keys = new Map<string, VerificationKey>();
  if (files.length === 0) {
    if (sealKeyFile === undefined) throw new UsageError("verify needs --public-key FILE (or AUDIT_SEAL_KEY_FILE)");
    const key = loadSealKey(sealKeyFile);
    keys.set(key.keyId, { keyId: key.keyId, publicKey: key.publicKey, source: sealKeyFile });
  }
  for (const file of files) {
    const key = loadVerificationKey(file);
    keys.set(key.keyId, key);
  }
  return keys;
}

/** Prints the verdict; resolves false when a stream is broken. */
async function verify(command: Extract<Command, { kind: "verify" }>, config: ReturnType<typeof loadConfig>): Promise<boolean> {
  const keys = verificationKeys(command.publicKeys, config.auditSeal?.keyFile);
  const options = { keys, retentionDays: config.auditRetentionDays, fromId: command.fromId };
  let reports;
  if (command.input !== undefined) {
    try {
      accessSync(command.input, constants.R_OK);
    } catch {
      throw new UsageError(`--input: cannot read ${command.input}`);
    }
    reports = await verifyFile(command.input, options);
  } else {
    const streams = keysFor(config).auditStreams;
    const redis = await connect(config.redis, "predownload-audit-verify", COMMAND_TIMEOUT_MS);
    try {
      reports = await verifyLive(redis, streams, options);
    } catch (error) {
      if (error instanceof RedisFailure) throw error;
      throw new RedisFailure(`reading ${describeStreams(streams)} failed: ${(error as Error).message}`);
    } finally {
      redis.disconnect();
    }
  }
  const { lines, valid } = summarize(reports, keys);
  process.stdout.write(`${lines.join("\n")}\n`);
  return valid;
}

async function run(command: Exclude<Command, { kind: "help" }>): Promise<number> {
  const config = loadConfig(undefined, {});
  if (command.kind === "public-key") {
    if (config.auditSeal === undefined) throw new UsageError("public-key needs AUDIT_SEAL_KEY_FILE");
    process.stdout.write(loadSealKey(config.auditSeal.keyFile).publicKey.export({ type: "spki", format: "pem" }).toString());
    return 0;
  }
  if (command.kind === "verify") return (await verify(command, config)) ? 0 : 1;
  const streams = keysFor(config).auditStreams;
  const name = `predownload-audit-${command.kind}`;
  const redis = await connect(config.redis, name, COMMAND_TIMEOUT_MS);
  let lanes: Lane[] = [];
  try {
    if (command.kind !== "export" && command.kind !== "sealed-export") lanes = await openLanes(redis, config.redis, streams, `${name}-read`);
    switch (command.kind) {
      case "export":
        await exportRange(redis, streams, command.sinceMs, command.untilMs ?? Date.now(), command.count);
        return 0;
      case "sealed-export":
        await exportWithSeals(redis, streams, command.count);
        return 0;
      case "tail":
        await follow(redis, lanes, command.sinceMs, command.count, stopOnSignals());
        return 0;
      case "group":
        await consumeGroup(redis, lanes, { streams, ...command }, stopOnSignals());
        return 0;
    }
  } catch (error) {
    if (error instanceof OutputClosed) return 0;
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
    return await run(command);
  } catch (error) {
    const usage = usageExit(error, USAGE);
    if (usage !== undefined) return usage;
    if (error instanceof SealKeyError) {
      process.stderr.write(`audit: ${error.message}\n`);
      return 2;
    }
    if (error instanceof InputError) {
      process.stderr.write(`audit: ${error.message}\n`);
      return 1;
    }
    if (error instanceof RedisFailure) {
      process.stderr.write(`audit: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

process.exitCode = await main(process.argv.slice(2));
