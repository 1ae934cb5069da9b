/**
 * The directory API: `GET`/`PUT`/`DELETE /directory/{kind}/{id}` and the streamed
 * `POST /directory/import`, for admin clients (scopes `directory:read` and `directory:write`).
 * Writes go through the same per-record script as the CLI's import, and are audited the same way.
 */
import { ApiError, type ErrorDetail } from "../../errors/catalog.js";
import { DIRECTORY_KINDS, DirectoryLineError, idField, isDirectoryId, parseLine, type DirectoryKind, type ImportMode } from "../../../shared/domain/directory.js";
import { decodeRecord, encodeRecord } from "../../../shared/domain/directory-codec.js";
import type { RedisClient } from "../../../shared/redis/client.js";
import { replicateEverywhere, type Durability } from "../../../shared/redis/durability.js";
import type { Clock } from "../../../shared/redis/clock.js";
import { appendDirectoryEvents, recordEvent, type DirectoryAuthor } from "../../../shared/redis/directory-audit.js";
import { emptyCounts, MAX_REPORTED_ERRORS, validateInput, writePlan } from "../../../shared/redis/directory-import.js";
import { parseStored } from "../../../shared/redis/directory-store.js";
import { applyWrites, type RecordWrite } from "../../../shared/redis/directory-write.js";
import type { Keys } from "../../../shared/redis/keys.js";
import type { Logger } from "../../../shared/runtime/log.js";
import { required, type Context, type Middleware } from "../../state.js";
import { limitedBody } from "./limited-body.js";
import { queryParameters } from "../../middleware/query-parameters.js";
import { requireScope } from "../../middleware/require-scope.js";

export const DIRECTORY_SCOPES = { read: "directory:read", write: "directory:write" } as const;

export interface DirectoryDeps {
  readonly redis: RedisClient;
  /**
   * Where directory writes go, records and imports, and the WAITs that cover them (the same client as
   * `redis` without `REDIS_WAIT_REPLICAS`): `redis`, which every request reads on, never waits behind a WAIT.
   */
  readonly auditRedis: RedisClient;
  readonly durability: Durability;
  /** Redis's time, as this process keeps it measured: audit event times. */
  readonly clock: Clock;
  readonly log: Logger;
  readonly keys: Keys;
  readonly tombstoneSeconds: number;
  /** `DIRECTORY_IMPORT_MAX_BYTES`. */
  readonly importMaxBytes: number;
  /** `DIRECTORY_IMPORT_MIN_BYTES_PER_SECOND`. */
  readonly importMinBytesPerSecond: number;
  /** `REQUEST_TIMEOUT_MS`: the longest pause in an import's body, and how long before its pace counts. */
  readonly requestTimeoutMs: number;
}

/** `{kind}` and `{id}` of `/directory/{kind}/{id}`; an unknown kind or an impossible id is no resource (404-101). */
function target(ctx: Context): { kind: DirectoryKind; id: string } {
  const [, , kind = "", encoded = ""] = ctx.path.split("/");
  let id: string | undefined;
  try {
    id = decodeURIComponent(encoded);
  } catch {
    id = undefined;
  }
  if (!(DIRECTORY_KINDS as readonly string[]).includes(kind) || id === undefined || !isDirectoryId(id)) throw new ApiError("404-101", [{ key: "path", value: ctx.path }]);
  return { kind: kind as DirectoryKind, id };
}

function notFound(kind: DirectoryKind, id: string): ApiError {
  return new ApiError("404-102", [
    { key: "kind", value: kind },
    { key: "id", value: id },
  ]);
}

function presented(kind: DirectoryKind, id: string, version: number | undefined, record: object) {
  return { kind, id, version: version ?? null, record };
}

function author(ctx: Context): DirectoryAuthor {
  return { type: "client", id: required(ctx, "actor").id };
}

/**
 * Audits a change and, with `REDIS_WAIT_REPLICAS`, waits for replicas to hold it: a removed
 * permission must not come back with a failover once the call has answered.
 */
async function audit(deps: DirectoryDeps, ctx: Context, write: RecordWrite, result: Awaited<ReturnType<typeof applyWrites>>[number]) {
  const event = recordEvent(write, result, author(ctx), ctx.state.requestId, new Date(deps.clock.now()));
  if (event !== undefined) {
    await appendDirectoryEvents(deps.auditRedis, deps.keys, ctx.state.requestId, [{ ...event, traceId: ctx.state.traceId ?? null }]);
    ctx.state.audited = true;
  }
  // After the event, on the same connection: on one server one WAIT covers the change and its event.
  const replicated = await deps.durability.replicate(deps.auditRedis, deps.keys.record(write.kind, write.id));
  if (!replicated) deps.log.warn({ requestId: ctx.state.requestId }, "directory change answered before a replica acknowledged it");
}

/** `GET /directory/{kind}/{id}`: 200 `{kind, id, version, record}`, or 404-102. */
export function getRecord(deps: DirectoryDeps): Middleware {
  return async function getRecordHandler(ctx) {
    const { kind, id } = target(ctx);
    const stored = await deps.redis.get(deps.keys.record(kind, id));
    const parsed = stored === null ? undefined : parseStored(stored);
    if (parsed?.body === undefined) throw notFound(kind, id);
    ctx.body = presented(kind, id, parsed.version, decodeRecord(kind, id, parsed.body));
  };
}

/** The field a directory line error names (`"size" must be…`, `unknown field "x"`). */
function fieldOf(reason: string): string {
  return /"([^"]*)"/.exec(reason)?.[1] ?? "record";
}

/**
 * `PUT /directory/{kind}/{id}`: the body is one record as in the NDJSON file (its `kind` and id may
 * be left out, and must match the path when present). 201 created, 200 replaced or unchanged,
 * 409-100 when a newer version is stored, 400-152 naming the first invalid field.
 */
export function putRecord(deps: DirectoryDeps): Middleware {
  return async function putRecordHandler(ctx) {
    const { kind, id } = target(ctx);
    const body = ctx.state.body;
    if (typeof body !== "object" || body === null || Array.isArray(body)) throw new ApiError("400-103");
    const fields = body as Record<string, unknown>;
    const name = idField(kind);
    if (fields.kind !== undefined && fields.kind !== kind) throw new ApiError("400-152", [{ key: "attribute", value: "kind" }]);
    if (fields[name] !== undefined && fields[name] !== id) throw new ApiError("400-152", [{ key: "attribute", value: name }]);
    if (fields.deleted !== undefined) throw new ApiError("400-152", [{ key: "attribute", value: "deleted" }]);
    let entry;
    try {
      entry = parseLine(JSON.stringify({ ...fields, kind, [name]: id }), 1);
    } catch (error) {
      if (!(error instanceof DirectoryLineError)) throw error;
      throw new ApiError("400-152", [{ key: "attribute", value: fieldOf(error.reason) }]);
    }
    if (entry.deleted) throw new ApiError("400-152", [{ key: "attribute", value: "deleted" }]);
    const write: RecordWrite = { kind, id, operation: "put", version: entry.version, stored: encodeRecord(kind, entry.record), wantBefore: true };
    const [result] = await applyWrites(deps.auditRedis, deps.keys, [write], deps.tombstoneSeconds);
    if (result!.outcome === "stale") throw new ApiError("409-100", [{ key: "version", value: String(result!.storedVersion) }]);
    // A directory filled through the API is a directory: readiness and the worker look for this mark.
    await deps.redis.set(deps.keys.directoryImported, new Date().toISOString(), "NX");
    if (result!.outcome === "unchanged") {
      ctx.status = 200;
      ctx.body = presented(kind, id, result!.storedVersion, result!.before === undefined ? entry.record : decodeRecord(kind, id, result!.before));
      return;
    }
    await audit(deps, ctx, write, result!);
    ctx.status = result!.outcome === "created" ? 201 : 200;
    ctx.body = presented(kind, id, entry.version, entry.record);
  };
}

/** `DELETE /directory/{kind}/{id}[?version=N]`: 204, 404-102 when there is no such record, 409-100 when a newer version is stored. */
export function deleteRecord(deps: DirectoryDeps): Middleware {
  return async function deleteRecordHandler(ctx) {
    const { kind, id } = target(ctx);
    const raw = new URLSearchParams(ctx.querystring).get("version");
    let version: number | undefined;
    if (raw !== null) {
      version = /^\d{1,16}$/.test(raw) ? Number(raw) : NaN;
      if (!Number.isSafeInteger(version)) throw new ApiError("400-152", [{ key: "attribute", value: "version" }]);
    }
    const write: RecordWrite = { kind, id, operation: "del", version, wantBefore: true };
    const [result] = await applyWrites(deps.auditRedis, deps.keys, [write], deps.tombstoneSeconds);
    const { outcome, storedVersion, before } = result!;
    if (outcome === "stale") throw new ApiError("409-100", [{ key: "version", value: String(storedVersion) }]);
    // The same version as a live record cannot also be its deletion; as a tombstone's, it is done already.
    if (outcome === "unchanged" && before !== undefined) throw new ApiError("409-100", [{ key: "version", value: String(storedVersion) }]);
    if (outcome === "absent" || outcome === "unchanged") throw notFound(kind, id);
    await audit(deps, ctx, write, result!);
    ctx.status = 204;
  };
}

/**
 * `POST /directory/import[?mode=upsert|replace]`, body `application/x-ndjson`: the CLI's pipeline on
 * the request body, streamed. 200 with the counts; 422-100 with one detail per bad line (at most 50)
 * and nothing written; 413-100 beyond `DIRECTORY_IMPORT_MAX_BYTES`.
 */
export function importDirectory(deps: DirectoryDeps): Middleware {
  return async function importDirectoryHandler(ctx) {
    if (!ctx.is("application/x-ndjson")) throw new ApiError("415-101");
    const mode = new URLSearchParams(ctx.querystring).get("mode") ?? "upsert";
    if (mode !== "upsert" && mode !== "replace") throw new ApiError("400-152", [{ key: "attribute", value: "mode" }]);
    const declared = Number(ctx.get("Content-Length") || "0");
    if (declared > deps.importMaxBytes) throw new ApiError("413-100", [{ key: "limit", value: String(deps.importMaxBytes) }]);
    // The body is paced by its reader instead: a large import may take longer than any one deadline.
    ctx.state.requestDeadline?.lift();
    const validation = await validateInput(
      limitedBody(ctx.req, { maxBytes: deps.importMaxBytes, minBytesPerSecond: deps.importMinBytesPerSecond, longestPauseMs: deps.requestTimeoutMs }),
    );
    try {
      // An empty body changes nothing; as a replace it would empty the directory, more likely a mistake than a wish.
      if (validation.records === 0 && validation.errors.length === 0) {
        ctx.body = emptyCounts();
        return;
      }
      if (validation.errors.length > 0) {
        const details: ErrorDetail[] = validation.errors.slice(0, MAX_REPORTED_ERRORS).map((e) => ({ key: `line ${e.line}`, value: e.reason }));
        throw new ApiError("422-100", details);
      }
      // On the connection whose commands may wait behind a WAIT (the audit writer's), WAIT included:
      // the API's main connection never holds one.
      const counts = await writePlan(deps.auditRedis, deps.keys, validation, {
        mode: mode as ImportMode,
        tombstoneSeconds: deps.tombstoneSeconds,
        audit: { by: author(ctx), requestId: ctx.state.requestId, traceId: ctx.state.traceId ?? null },
      });
      // The import's own events record it (an `import` event at least).
      ctx.state.audited = true;
      if (!(await replicateEverywhere(deps.auditRedis, deps.durability.replicas, deps.durability.timeoutMs))) {
        deps.log.warn({ requestId: ctx.state.requestId }, "directory import answered before a replica acknowledged it");
      }
      ctx.body = counts;
    } finally {
      await validation.remove();
    }
  };
}

/** The methods of `/directory/{kind}/{id}`, each behind the scope it needs. */
export function recordMethods(deps: DirectoryDeps, body: Middleware): Middleware {
  const read = [requireScope(DIRECTORY_SCOPES.read, deps), queryParameters(), getRecord(deps)];
  const put = [requireScope(DIRECTORY_SCOPES.write, deps), queryParameters(), body, putRecord(deps)];
  const remove = [requireScope(DIRECTORY_SCOPES.write, deps), queryParameters("version"), deleteRecord(deps)];
  return async function recordMethodsMiddleware(ctx, next) {
    const chain = ctx.method === "PUT" ? put : ctx.method === "DELETE" ? remove : read;
    const step = async (i: number): Promise<void> => {
      if (i === chain.length) return next();
      await chain[i]!(ctx, () => step(i + 1));
    };
    await step(0);
  };
}
