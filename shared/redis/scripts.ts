/**
 * The service's Redis scripts: each a `.lua` file in `./scripts/` beside this module, whose header
 * names its KEYS, ARGV and reply, and whose name ends with the number of keys it takes
 * (`settle-3.lua`). They are read once, when this module loads, and registered on a client (one
 * `defineCommand` each, once per client; a cluster runs them on the node of their first key) the
 * first time a script is called on it.
 *
 * Callers use the typed functions below, each of which maps its input to KEYS and ARGV in one
 * place. Adding a script: its file in `./scripts/`, its line in {@link SCRIPT_FILES}, and its typed
 * function here; `test/unit/scripts.test.ts` checks that the three agree.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ChainableCommander, Redis } from "ioredis";
import type { RedisClient } from "./client.js";

/**
 * The folder of the `.lua` files: `scripts/` beside this module, from the sources or from a build
 * that copies the folder beside the compiled module.
 */
const SCRIPTS_URL = new URL("./scripts/", import.meta.url);
export const SCRIPTS_DIR = fileURLToPath(SCRIPTS_URL);

/** Every script, by the command name it is registered under, with its file in {@link SCRIPTS_DIR}. */
export const SCRIPT_FILES = {
  pdAcquire: "rate-limit-acquire-1.lua",
  pdCountRefusal: "refusal-count-2.lua",
  pdFlushRefusals: "refusal-flush-3.lua",
  pdSettle: "settle-3.lua",
  pdClaim: "claim-1.lua",
  pdBeat: "heartbeat-beat-1.lua",
  pdLiveWorkers: "heartbeat-count-live-1.lua",
  pdLiveMembers: "heartbeat-list-live-1.lua",
  pdReadDecision: "directory-read-decision-3.lua",
  pdWriteRecord: "directory-write-1.lua",
  pdUseGrant: "grant-use-2.lua",
  pdRevokeGrant: "grant-revoke-1.lua",
  pdRaiseEpoch: "revocation-epoch-1.lua",
  pdSealLock: "seal-lock-1.lua",
  pdSealRelease: "seal-release-1.lua",
  pdSealAppend: "seal-append-2.lua",
} as const;

export type ScriptName = keyof typeof SCRIPT_FILES;

export interface Script {
  readonly file: string;
  /** How many of its arguments are keys: the number at the end of its file name. */
  readonly numberOfKeys: number;
  readonly lua: string;
}

/** The number of keys a script file takes, from its name (`settle-3.lua` → 3). */
export function keyCountOf(file: string): number {
  const match = /-(\d+)\.lua$/.exec(file);
  if (match === null) throw new Error(`script file ${file} does not end with -<number of keys>.lua`);
  return Number(match[1]);
}

function load(file: string): Script {
  let lua: string;
  try {
    lua = readFileSync(new URL(file, SCRIPTS_URL), "utf8");
  } catch (error) {
    // A build that compiles this module elsewhere must copy the scripts folder beside it.
    throw new Error(`Redis script ${file} is not in ${SCRIPTS_DIR}: the scripts/ folder must sit beside ${fileURLToPath(import.meta.url)}`, { cause: error });
  }
  return Object.freeze({ file, numberOfKeys: keyCountOf(file), lua });
}

/** Every script, read once. */
export const SCRIPTS: Readonly<Record<ScriptName, Script>> = Object.freeze(
  Object.fromEntries(Object.entries(SCRIPT_FILES).map(([name, file]) => [name, load(file)])) as Record<ScriptName, Script>,
);

const registered = new WeakSet<RedisClient>();

type ScriptFunction = (...args: Array<string | number>) => Promise<unknown>;

/** Registers every script on `redis`, once per client; pipelines made from it afterwards have them too. */
export function registerScripts(redis: RedisClient): void {
  if (registered.has(redis)) return;
  for (const [name, script] of Object.entries(SCRIPTS)) redis.defineCommand(name, { numberOfKeys: script.numberOfKeys, lua: script.lua });
  registered.add(redis);
}

function scriptFunction(redis: RedisClient, name: ScriptName, keys: readonly string[]): ScriptFunction {
  if (keys.length !== SCRIPTS[name].numberOfKeys) throw new Error(`script ${name} takes ${SCRIPTS[name].numberOfKeys} keys, given ${keys.length}`);
  registerScripts(redis);
  return (redis as unknown as Record<ScriptName, ScriptFunction>)[name];
}

function run<T>(redis: RedisClient, name: ScriptName, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<T> {
  return scriptFunction(redis, name, keys).call(redis, ...keys, ...args) as Promise<T>;
}

/** Queues the call on `pipeline`, a pipeline or MULTI made from `redis`, whenever it was made. */
function queue(redis: RedisClient, pipeline: ChainableCommander, name: ScriptName, keys: readonly string[], args: ReadonlyArray<string | number>): void {
  // What ioredis gives a pipeline made after registration: the client's command, run on the pipeline.
  void scriptFunction(redis, name, keys).call(pipeline, ...keys, ...args);
}

// rate-limit-acquire-1.lua

export interface AcquireRateLimit {
  readonly key: string;
  /** Between two requests at the sustained rate. */
  readonly intervalUs: number;
  /** How many requests may come at once. */
  readonly burst: number;
}

/** Takes one token from a GCRA limiter. Resolves 0 when the request may go ahead, else how many µs until one may. */
export function acquireRateLimit(redis: RedisClient, input: AcquireRateLimit): Promise<number> {
  return run(redis, "pdAcquire", [input.key], [input.intervalUs, input.burst]);
}

// refusal-count-2.lua, refusal-flush-3.lua

export interface RefusalKeys {
  /** The shard's refusal hash. */
  readonly refusals: string;
  /** The shard's sorted set of pending seconds. */
  readonly refusalSeconds: string;
}

export interface CountRefusal extends RefusalKeys {
  readonly address: string;
  /** The refusal's audit event, JSON. */
  readonly event: string;
  readonly ttlMs: number;
}

/** Counts one over-budget refusal of an address in the current second. Resolves the count so far. */
export function countRefusal(redis: RedisClient, input: CountRefusal): Promise<number> {
  return run(redis, "pdCountRefusal", [input.refusals, input.refusalSeconds], [input.address, input.event, input.ttlMs]);
}

export interface FlushRefusals extends RefusalKeys {
  readonly auditStream: string;
  /** At most how many seconds to sum up. */
  readonly limit: number;
  /** The stream entry's field that holds the event. */
  readonly eventField: string;
}

/** Sums closed seconds up into summary events. Resolves how many were summed up. */
export function flushRefusals(redis: RedisClient, input: FlushRefusals): Promise<number> {
  return run(redis, "pdFlushRefusals", [input.refusals, input.refusalSeconds, input.auditStream], [input.limit, input.eventField]);
}

// settle-3.lua

/** How the settle script sends the reply: `""` when the caller sends it after WAIT. */
export type PublishCommand = "PUBLISH" | "SPUBLISH" | "";

export interface SettleResult {
  readonly resultKey: string;
  readonly auditStream: string;
  /** The job's own hash (BullMQ's), which lives as long as the job can run again. */
  readonly jobKey: string;
  /** The reply, JSON. */
  readonly reply: string;
  readonly resultTtlMs: number;
  /** The audit event, JSON; "" records none. */
  readonly event: string;
  readonly channel: string;
  /** The stream entry's field that holds the event. */
  readonly eventField: string;
  /** The job ran after its deadline: record also over the API's tombstone, once. */
  readonly alwaysAudit: boolean;
  /** Trim the stream below this id as the event is appended; undefined trims nothing. */
  readonly auditMinId: string | undefined;
  /** What the API's claim leaves in the result key. */
  readonly tombstone: string;
  readonly publish: PublishCommand;
  /** The field of the job's hash that marks the request decided. */
  readonly decidedField: string;
}

/**
 * 1: this call settled the request; 0: a late job replaced the API's tombstone; null: an earlier
 * run decided it and its result has expired; a string: the stored result that settled it.
 */
export type SettleReply = number | string | null;

function settleCall(input: SettleResult): [string[], Array<string | number>] {
  return [
    [input.resultKey, input.auditStream, input.jobKey],
    [
      input.reply,
      input.resultTtlMs,
      input.event,
      input.channel,
      input.eventField,
      input.alwaysAudit ? "1" : "0",
      input.auditMinId ?? "",
      input.tombstone,
      input.publish,
      input.decidedField,
    ],
  ];
}

/** Sets the result, appends its audit event and (unless `publish` is "") publishes the reply, atomically. */
export function settleResult(redis: RedisClient, input: SettleResult): Promise<SettleReply> {
  return run(redis, "pdSettle", ...settleCall(input));
}

/** {@link settleResult}, queued on a pipeline made from `redis`. */
export function queueSettleResult(redis: RedisClient, pipeline: ChainableCommander, input: SettleResult): void {
  queue(redis, pipeline, "pdSettle", ...settleCall(input));
}

// claim-1.lua

export interface ClaimResult {
  readonly resultKey: string;
  readonly tombstone: string;
  readonly ttlMs: number;
}

/** Sets the tombstone unless a result is there. Resolves null when it was set, else what the key holds. */
export function claimResult(redis: RedisClient, input: ClaimResult): Promise<string | null> {
  return run(redis, "pdClaim", [input.resultKey], [input.tombstone, input.ttlMs]);
}

// heartbeat-beat-1.lua, heartbeat-count-live-1.lua, heartbeat-list-live-1.lua

export interface Heartbeat {
  /** The sorted set of heartbeats. */
  readonly workers: string;
  readonly member: string;
  /** Members silent this long are dropped. */
  readonly forgetMs: number;
}

/** Scores `member` with Redis's clock. Resolves now, epoch ms by Redis's clock. */
export function scoreHeartbeat(redis: RedisClient, input: Heartbeat): Promise<number> {
  return run(redis, "pdBeat", [input.workers], [input.member, input.forgetMs]);
}

export interface LiveWorkers {
  /** The sorted set of heartbeats. */
  readonly workers: string;
  /** How recent a beat must be. */
  readonly liveMs: number;
}

/** How many members beat within `liveMs`. */
export function countLiveWorkers(redis: RedisClient, input: LiveWorkers): Promise<number> {
  return run(redis, "pdLiveWorkers", [input.workers], [input.liveMs]);
}

/** The members that beat within `liveMs`. */
export function listLiveWorkers(redis: RedisClient, input: LiveWorkers): Promise<string[]> {
  return run(redis, "pdLiveMembers", [input.workers], [input.liveMs]);
}

// directory-read-decision-3.lua

export interface ReadDecision {
  readonly attachmentKey: string;
  readonly actorKey: string;
  /** The import marker. */
  readonly importedKey: string;
  /** The prefix of activity records: the script builds the activity's key from the attachment. */
  readonly activityPrefix: string;
}

/** Attachment, activity and actor records as stored, without version prefix (null when absent), and 1 when a directory was imported. */
export type DecisionRecords = [string | null, string | null, string | null, number];

/** Reads a decision's records in one round trip; one server only (see the script's header). */
export function readDecision(redis: Redis, input: ReadDecision): Promise<DecisionRecords> {
  return run(redis, "pdReadDecision", [input.attachmentKey, input.actorKey, input.importedKey], [input.activityPrefix]);
}

// directory-write-1.lua

export interface WriteRecord {
  readonly key: string;
  /** `put` writes `json` (the record's stored text); `del` deletes (a versioned one leaves a tombstone); `drop` deletes a record but leaves a tombstone be. */
  readonly operation: "put" | "del" | "drop";
  /** The write's version; undefined applies whatever is stored. */
  readonly version: number | undefined;
  readonly stored: string | undefined;
  readonly tombstoneSeconds: number;
  /** Whether the reply carries the record stored before. */
  readonly wantBefore: boolean;
}

/** Outcome, the version stored before ("" for none) and, when asked for, the record stored before. */
export type WriteRecordReply = [string, string, string | null];

function writeRecordCall(input: WriteRecord): [string[], Array<string | number>] {
  return [[input.key], [input.operation, input.version === undefined ? "" : String(input.version), input.stored ?? "", input.tombstoneSeconds, input.wantBefore ? "1" : "0"]];
}

/** Writes or deletes one directory record unless a newer version is stored. */
export function writeRecord(redis: RedisClient, input: WriteRecord): Promise<WriteRecordReply> {
  return run(redis, "pdWriteRecord", ...writeRecordCall(input));
}

/** {@link writeRecord}, queued on a pipeline or MULTI made from `redis`. */
export function queueWriteRecord(redis: RedisClient, pipeline: ChainableCommander, input: WriteRecord): void {
  queue(redis, pipeline, "pdWriteRecord", ...writeRecordCall(input));
}

// grant-use-2.lua

export interface UseGrant {
  /** The grant's hash. */
  readonly grantKey: string;
  /** The redeem job's own hash (BullMQ's), which marks a use already counted. */
  readonly jobKey: string;
  /** The field of the job's hash that marks it. */
  readonly usedField: string;
}

/** What a redeem finds: usable (and, for a GET, one use counted, once per job), or why not. */
export type GrantUse = "ok" | "unknown" | "revoked" | "used_up";

/** Counts one use of a grant unless it is gone, revoked or used up; a job that runs again is not counted twice. */
export function useGrant(redis: RedisClient, input: UseGrant): Promise<GrantUse> {
  return run(redis, "pdUseGrant", [input.grantKey, input.jobKey], [input.usedField]);
}

// grant-revoke-1.lua

/** Revokes a live grant. Resolves 1 when this call revoked it, 0 when it is gone or was revoked already. */
export function revokeGrantScript(redis: RedisClient, grantKey: string): Promise<number> {
  return run(redis, "pdRevokeGrant", [grantKey], []);
}

// revocation-epoch-1.lua

/** Raises the revocation epoch kept in `epochKey`, living `ttlMs` from now. Resolves the new epoch. */
export function raiseEpochScript(redis: RedisClient, epochKey: string, ttlMs: number): Promise<number> {
  return run(redis, "pdRaiseEpoch", [epochKey], [ttlMs]);
}

// seal-lock-1.lua, seal-release-1.lua, seal-append-2.lua

export interface SealerLock {
  /** The stream's sealer lock (`<stream>:sealer`). */
  readonly lock: string;
  /** This sealer's token. */
  readonly token: string;
}

/** Takes or keeps a stream's sealer lock for `ttlMs`. Resolves true while this sealer holds it. */
export async function holdSealerLock(redis: RedisClient, input: SealerLock & { readonly ttlMs: number }): Promise<boolean> {
  return (await run<number>(redis, "pdSealLock", [input.lock], [input.token, input.ttlMs])) === 1;
}

/** Gives a stream's sealer lock up, if this sealer holds it. */
export async function releaseSealerLock(redis: RedisClient, input: SealerLock): Promise<boolean> {
  return (await run<number>(redis, "pdSealRelease", [input.lock], [input.token])) === 1;
}

export interface AppendCheckpoint extends SealerLock {
  /** The stream's seals (`<stream>:seals`). */
  readonly seals: string;
  readonly field: string;
  /** The signed checkpoint, JSON. */
  readonly checkpoint: string;
}

/** Appends a checkpoint while this sealer holds the lock. Resolves its id, or null when the lock is another's. */
export function appendCheckpoint(redis: RedisClient, input: AppendCheckpoint): Promise<string | null> {
  return run(redis, "pdSealAppend", [input.lock, input.seals], [input.token, input.field, input.checkpoint]);
}
