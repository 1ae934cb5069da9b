/**
 * Checkpoints of the sealed audit trail: what one covers, how its hash is chained, how it is signed
 * and checked. Each audit stream `<stream>` has its checkpoints in `<stream>:seals` (same hash tag,
 * same slot), one entry each, field `seal` holding the checkpoint JSON. Checkpoint n covers the
 * entries with ids in (`after`, `lastId`]: `after` is checkpoint n-1's `lastId` ("0-0" for the
 * first), and an interval without entries has `count` 0 and `lastId` equal to `after`.
 *
 * `hash` is SHA-256 over the digest of the previous checkpoint (its signed text) and the canonical
 * entries in stream order, so a checkpoint vouches for every entry and every checkpoint before it.
 * `ids` (the entry ids alone) and `events` (the events alone, in any order) only serve to name what
 * changed when `hash` no longer matches.
 */
import { createHash, createPublicKey, sign, verify, type KeyObject } from "node:crypto";
import { AUDIT_FIELD } from "./audit.js";

/** The field of a `<stream>:seals` entry that holds the checkpoint JSON. */
export const SEAL_FIELD = "seal";
/** Where the first checkpoint starts: before every stream id. */
export const STREAM_START = "0-0";
/** The `prev` of the first checkpoint. */
export const GENESIS = "0".repeat(64);
const DOMAIN = "pd-audit-seal-v1\n";

/** The key of a stream's checkpoints: beside the stream, in its slot. */
export function sealsKeyOf(stream: string): string {
  return `${stream}:seals`;
}

/** The key of the lock whose holder seals a stream: beside the stream, in its slot. */
export function sealerLockKeyOf(stream: string): string {
  return `${stream}:sealer`;
}

export interface Checkpoint {
  readonly v: 1;
  /** The Redis key of the stream it seals. */
  readonly stream: string;
  /** 1 for the first checkpoint of the stream, then one more each. */
  readonly seq: number;
  /** The stream id the previous checkpoint ended at (exclusive start of this one). */
  readonly after: string;
  /** The id of the first entry covered; null when none is. */
  readonly firstId: string | null;
  /** The id this checkpoint covers up to (inclusive); `after` when it covers no entry. */
  readonly lastId: string;
  readonly count: number;
  /** SHA-256 (hex) of the previous checkpoint's signed text; {@link GENESIS} for the first. */
  readonly prev: string;
  /** SHA-256 (hex) chained over `prev` and the canonical entries. */
  readonly hash: string;
  /** SHA-256 (hex) of the covered ids. */
  readonly ids: string;
  /** XOR of the SHA-256 of each covered canonical event (hex): the same whatever their order. */
  readonly events: string;
  /** When it was sealed, by Redis's clock. */
  readonly time: string;
  /** `AUDIT_SEAL_INTERVAL_SECONDS` of the sealer that wrote it. */
  readonly intervalSeconds: number;
  /** Which key signed it (see {@link keyIdOf}). */
  readonly keyId: string;
  /** Ed25519 signature (base64) of {@link signedText}. */
  readonly signature: string;
}

export type UnsignedCheckpoint = Omit<Checkpoint, "signature">;

/** The text a checkpoint's signature covers: its fields in a fixed order, whatever order they came in. */
export function signedText(c: UnsignedCheckpoint): string {
  return JSON.stringify({
    v: c.v,
    stream: c.stream,
    seq: c.seq,
    after: c.after,
    firstId: c.firstId,
    lastId: c.lastId,
    count: c.count,
    prev: c.prev,
    hash: c.hash,
    ids: c.ids,
    events: c.events,
    time: c.time,
    intervalSeconds: c.intervalSeconds,
    keyId: c.keyId,
  });
}

/** What the next checkpoint's `prev` must be. */
export function digestOf(c: UnsignedCheckpoint): string {
  return createHash("sha256").update(signedText(c)).digest("hex");
}

/** A short, stable name of a public key: the first 16 hex digits of the SHA-256 of its SPKI DER. */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash("sha256").update(publicKey.export({ type: "spki", format: "der" })).digest("hex").slice(0, 16);
}

export interface SealKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly keyId: string;
}

/** A key usable to sign checkpoints, from a private key; throws unless it is Ed25519. */
export function sealKeyOf(privateKey: KeyObject): SealKey {
  if (privateKey.asymmetricKeyType !== "ed25519") throw new Error(`an Ed25519 private key is needed, got ${privateKey.asymmetricKeyType ?? privateKey.type}`);
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, keyId: keyIdOf(publicKey) };
}

export function signCheckpoint(c: UnsignedCheckpoint, key: SealKey): Checkpoint {
  return { ...c, signature: sign(null, Buffer.from(signedText(c)), key.privateKey).toString("base64") };
}

export function signatureHolds(c: Checkpoint, publicKey: KeyObject): boolean {
  try {
    return verify(null, Buffer.from(signedText(c)), publicKey, Buffer.from(c.signature, "base64"));
  } catch {
    return false;
  }
}

/**
 * The canonical text of an entry's fields: the event JSON as `JSON.stringify` writes it (so that an
 * export, which holds the event as an object, hashes the same), or, for an entry that is not one
 * JSON event, its field list as JSON.
 */
export function canonicalFields(fields: readonly string[]): string {
  if (fields.length === 2 && fields[0] === AUDIT_FIELD) {
    try {
      return JSON.stringify(JSON.parse(fields[1]!));
    } catch {
      // not JSON: the field list below
    }
  }
  return JSON.stringify(fields);
}

/** The chained hash of one interval, fed entry by entry in stream order, with its fingerprints when asked. */
export class IntervalHash {
  private readonly hash = createHash("sha256");
  private readonly idHash = createHash("sha256");
  private readonly eventXor = Buffer.alloc(32);
  count = 0;
  firstId: string | null = null;
  constructor(
    prev: string,
    private readonly withFingerprints = true,
  ) {
    this.hash.update(`${DOMAIN}${prev}\n`);
  }

  add(id: string, canonical: string): void {
    this.hash.update(`${id}\n${canonical}\n`);
    this.count += 1;
    this.firstId ??= id;
    if (!this.withFingerprints) return;
    this.idHash.update(`${id}\n`);
    const h = createHash("sha256").update(canonical).digest();
    for (let i = 0; i < 32; i++) this.eventXor[i]! ^= h[i]!;
  }

  /** `hash`, and `ids` and `events` (see {@link Checkpoint}). */
  digest(): { hash: string; ids: string; events: string } {
    return { hash: this.hash.digest("hex"), ids: this.idHash.digest("hex"), events: this.eventXor.toString("hex") };
  }
}

/** Orders stream ids (`<ms>-<seq>`) as Redis does; both parts may exceed 2^53, so as BigInt when long. */
export function compareStreamIds(a: string, b: string): number {
  const [am, as = "0"] = a.split("-") as [string, string?];
  const [bm, bs = "0"] = b.split("-") as [string, string?];
  const ms = compareDigits(am, bm);
  return ms !== 0 ? ms : compareDigits(as, bs);
}

function compareDigits(a: string, b: string): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a === b ? 0 : a < b ? -1 : 1;
}

/** The smallest id after `id`. */
export function nextStreamId(id: string): string {
  const [ms, seq = "0"] = id.split("-") as [string, string?];
  return `${ms}-${(BigInt(seq) + 1n).toString()}`;
}

/** Epoch ms of a stream id. */
export function msOfStreamId(id: string): number {
  return Number(id.split("-")[0]);
}

/** Parses a checkpoint's JSON; throws naming what is wrong. */
export function parseCheckpoint(json: string | object): Checkpoint {
  const c = (typeof json === "string" ? JSON.parse(json) : json) as Record<string, unknown>;
  const text = (name: string) => {
    if (typeof c[name] !== "string") throw new Error(`checkpoint field "${name}" is not a string`);
  };
  for (const name of ["stream", "after", "lastId", "prev", "hash", "ids", "events", "time", "keyId", "signature"]) text(name);
  for (const name of ["seq", "count", "intervalSeconds"]) if (!Number.isSafeInteger(c[name])) throw new Error(`checkpoint field "${name}" is not a whole number`);
  if (c.v !== 1) throw new Error(`checkpoint version ${String(c.v)} is not known`);
  if (c.firstId !== null && typeof c.firstId !== "string") throw new Error(`checkpoint field "firstId" is neither a string nor null`);
  return c as unknown as Checkpoint;
}
