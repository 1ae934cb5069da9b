/**
 * Bearer token verification. Keys are built once at start as `KeyObject`s (a string secret costs
 * jsonwebtoken ~15x more per call); algorithms are pinned per key; `kid` only selects among the
 * configured keys.
 */
import { createPublicKey, createSecretKey, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import jwt from "jsonwebtoken";
import { ACTOR_TYPES, type Actor, type ActorType } from "../shared/domain/attachment.js";
import type { JwtConfig } from "../shared/runtime/config.js";
import { isDirectoryId } from "../shared/domain/directory.js";

export type TokenAlgorithm = "HS256" | "RS256" | "ES256";

export interface VerificationKey {
  readonly kid: string | undefined;
  readonly alg: TokenAlgorithm;
  readonly key: KeyObject;
}

/** Why a token was refused; never shown to callers beyond "invalid or expired". */
export class TokenError extends Error {
  override readonly name = "TokenError";
}

/** Builds the configured keys. @throws Error naming the variable when a key cannot be used. */
export function loadVerificationKeys(config: JwtConfig): VerificationKey[] {
  const keys: VerificationKey[] = [];
  if (config.secret !== undefined) keys.push({ kid: undefined, alg: "HS256", key: createSecretKey(Buffer.from(config.secret, "utf8")) });
  if (config.publicKeyFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(config.publicKeyFile, "utf8");
    } catch (error) {
      throw new Error(`JWT_PUBLIC_KEY_FILE: cannot read ${config.publicKeyFile}: ${(error as Error).message}`);
    }
    try {
      keys.push(...(text.trimStart().startsWith("{") ? jwksKeys(text) : [pemKey(text)]));
    } catch (error) {
      throw new Error(`JWT_PUBLIC_KEY_FILE: ${(error as Error).message}`);
    }
  }
  return keys;
}

/** Shorter RSA moduli are within reach of a determined attacker (NIST SP 800-131A). */
const MIN_RSA_BITS = 2048;

/** A verifier needs public keys only; private key material does not belong on API hosts. */
function pemKey(pem: string): VerificationKey {
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) throw new Error("the file holds a private key; give the public key only");
  const key = createPublicKey(pem);
  return { kid: undefined, alg: algorithmOf(key), key };
}

function jwksKeys(text: string): VerificationKey[] {
  const parsed = JSON.parse(text) as { keys?: unknown };
  if (!Array.isArray(parsed.keys) || parsed.keys.length === 0) throw new Error("a JWKS file needs a non-empty \"keys\" array");
  const keys = parsed.keys.map((jwk: Record<string, unknown>, i) => {
    if (typeof jwk.kid !== "string" || jwk.kid === "") throw new Error(`keys[${i}] has no "kid"`);
    if (jwk.use !== undefined && jwk.use !== "sig") throw new Error(`keys[${i}] is not a signing key`);
    if (jwk.d !== undefined) throw new Error(`keys[${i}] is a private key; give the public key only`);
    const key = createPublicKey({ key: jwk as never, format: "jwk" });
    const alg = algorithmOf(key);
    if (jwk.alg !== undefined && jwk.alg !== alg) throw new Error(`keys[${i}] declares alg ${String(jwk.alg)}, which this service does not accept for a ${key.asymmetricKeyType} key`);
    return { kid: jwk.kid, alg, key };
  });
  const kids = new Set(keys.map((k) => k.kid));
  if (kids.size !== keys.length) throw new Error("two keys share a \"kid\"");
  return keys;
}

function algorithmOf(key: KeyObject): TokenAlgorithm {
  if (key.asymmetricKeyType === "rsa") {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < MIN_RSA_BITS) throw new Error(`an RSA key of ${bits} bits is too short: use at least ${MIN_RSA_BITS}`);
    return "RS256";
  }
  if (key.asymmetricKeyType === "ec" && key.asymmetricKeyDetails?.namedCurve === "prime256v1") return "ES256";
  throw new Error(`unsupported key type ${key.asymmetricKeyType ?? "unknown"}: use an RSA or P-256 EC key`);
}

/** A token's actor, and the scopes of its `scope` claim (RFC 9068: space-separated; none when absent). */
export interface Authenticated extends Actor {
  readonly scopes?: readonly string[];
}

export type VerifyToken = (token: string) => Authenticated;

/** Returns a verifier that resolves a token to its actor, or throws {@link TokenError}. */
export function createTokenVerifier(config: JwtConfig, keys: readonly VerificationKey[]): VerifyToken {
  if (keys.length === 0) throw new Error("no token verification key is configured");
  const options = {
    issuer: config.issuer,
    audience: config.audience,
    clockTolerance: config.clockToleranceSeconds,
  };

  function check(token: string): Authenticated {
    const key = selectKey(keys, token);
    let payload: unknown;
    try {
      payload = jwt.verify(token, key.key, { ...options, algorithms: [key.alg] });
    } catch (error) {
      throw new TokenError((error as Error).message);
    }
    const claims = payload as Record<string, unknown>;
    if (claims.exp === undefined) throw new TokenError("exp claim is required");
    for (const name of TIME_CLAIMS) {
      if (claims[name] !== undefined && !isNumericDate(claims[name])) throw new TokenError(`${name} claim must be a time between 1970 and 9999`);
    }
    if (!isDirectoryId(claims.sub)) throw new TokenError("sub claim must be an id");
    if (typeof claims.actor !== "string" || !(ACTOR_TYPES as readonly string[]).includes(claims.actor)) {
      throw new TokenError("actor claim must be user, customer or client");
    }
    const actor = { type: claims.actor as ActorType, id: claims.sub };
    // Only an admin token has scopes; any other resolves to its actor alone.
    return typeof claims.scope === "string" ? { ...actor, scopes: claims.scope.split(" ").filter((s) => s !== "") } : actor;
  }

  // Whatever goes wrong while a token is checked (a header built to make a check throw), the token
  // is refused: a 401 for the caller, never a fault of the service.
  return function verifyToken(token: string): Authenticated {
    try {
      return check(token);
    } catch (error) {
      if (error instanceof TokenError) throw error;
      throw new TokenError("the token could not be checked");
    }
  };
}

/** The claims that hold times (RFC 7519 NumericDate: seconds since the epoch). */
const TIME_CLAIMS = ["exp", "nbf", "iat"] as const;
/** 9999-12-31T23:59:59Z: a later time is no date (`1e400` parses as Infinity, a token that never expires). */
const MAX_NUMERIC_DATE = 253402300799;

function isNumericDate(value: unknown): boolean {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 && value <= MAX_NUMERIC_DATE;
}

/**
 * Header parameters that carry a key or say where to fetch one (RFC 7515 §4.1.2–4.1.6). Keys come
 * from the configuration only, so a token that offers one is refused rather than trusted or ignored.
 */
const KEY_MATERIAL_PARAMETERS = ["jwk", "jku", "x5u", "x5c"] as const;

function selectKey(keys: readonly VerificationKey[], token: string): VerificationKey {
  const header = decodeHeader(token);
  // Checked before anything else reads it: a value that is not a string may throw when printed or compared.
  if (typeof header.alg !== "string") throw new TokenError("alg must be a string");
  // RFC 7515 §4.1.11: a token whose critical extensions the verifier does not implement is invalid.
  if (header.crit !== undefined) throw new TokenError("critical header extensions are not supported");
  const offered = KEY_MATERIAL_PARAMETERS.filter((name) => Object.hasOwn(header, name));
  if (offered.length > 0) throw new TokenError(`keys carried by the token (${offered.join(", ")}) are refused`);
  const candidates = keys.filter((k) => k.alg === header.alg);
  if (candidates.length === 0) throw new TokenError(`algorithm ${header.alg.slice(0, 16)} is not accepted`);
  if (header.alg === "HS256") return candidates[0]!;
  if (typeof header.kid === "string") {
    const byKid = candidates.find((k) => k.kid === header.kid);
    if (byKid !== undefined) return byKid;
    const unnamed = candidates.filter((k) => k.kid === undefined);
    if (unnamed.length === 1) return unnamed[0]!;
    throw new TokenError("unknown kid");
  }
  if (candidates.length === 1) return candidates[0]!;
  throw new TokenError("kid is required to choose among several keys");
}

function decodeHeader(token: string): Record<string, unknown> & { alg?: unknown; kid?: unknown; crit?: unknown } {
  const dot = token.indexOf(".");
  if (dot <= 0) throw new TokenError("malformed token");
  try {
    const header = JSON.parse(Buffer.from(token.slice(0, dot), "base64url").toString("utf8")) as unknown;
    if (typeof header !== "object" || header === null || Array.isArray(header)) throw new TokenError("malformed token header");
    return header as Record<string, unknown>;
  } catch (error) {
    if (error instanceof TokenError) throw error;
    throw new TokenError("malformed token header");
  }
}
