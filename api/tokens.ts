/**
 * Bearer token verification. Keys are built once at start as `KeyObject`s (a string secret costs
 * jsonwebtoken ~15x more per call); algorithms are pinned per key; `kid` only selects among the
 * configured keys.
 */
import { createPublicKey, createSecretKey, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import jwt from "jsonwebtoken";
import { ACTOR_TYPES, type Actor, type ActorType } from "../shared/attachment.js";
import type { JwtConfig } from "../shared/config.js";
import { isDirectoryId } from "../shared/directory.js";

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

export type VerifyToken = (token: string) => Actor;

/** Returns a verifier that resolves a token to its actor, or throws {@link TokenError}. */
export function createTokenVerifier(config: JwtConfig, keys: readonly VerificationKey[]): VerifyToken {
  if (keys.length === 0) throw new Error("no token verification key is configured");
  const options = {
    issuer: config.issuer,
    audience: config.audience,
    clockTolerance: config.clockToleranceSeconds,
  };

  return function verifyToken(token: string): Actor {
    const key = selectKey(keys, token);
    let payload: unknown;
    try {
      payload = jwt.verify(token, key.key, { ...options, algorithms: [key.alg] });
    } catch (error) {
      throw new TokenError((error as Error).message);
    }
    const claims = payload as Record<string, unknown>;
    if (typeof claims.exp !== "number") throw new TokenError("exp claim is required");
    if (!isDirectoryId(claims.sub)) throw new TokenError("sub claim must be an id");
    if (typeof claims.actor !== "string" || !(ACTOR_TYPES as readonly string[]).includes(claims.actor)) {
      throw new TokenError("actor claim must be user, customer or client");
    }
    return { type: claims.actor as ActorType, id: claims.sub };
  };
}

function selectKey(keys: readonly VerificationKey[], token: string): VerificationKey {
  const header = decodeHeader(token);
  // RFC 7515 §4.1.11: a token whose critical extensions the verifier does not implement is invalid.
  if (header.crit !== undefined) throw new TokenError("critical header extensions are not supported");
  const candidates = keys.filter((k) => k.alg === header.alg);
  if (candidates.length === 0) throw new TokenError(`algorithm ${String(header.alg)} is not accepted`);
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

function decodeHeader(token: string): { alg?: unknown; kid?: unknown; crit?: unknown } {
  const dot = token.indexOf(".");
  if (dot <= 0) throw new TokenError("malformed token");
  try {
    const header = JSON.parse(Buffer.from(token.slice(0, dot), "base64url").toString("utf8")) as unknown;
    if (typeof header !== "object" || header === null) throw new TokenError("malformed token header");
    return header as { alg?: unknown; kid?: unknown; crit?: unknown };
  } catch (error) {
    if (error instanceof TokenError) throw error;
    throw new TokenError("malformed token header");
  }
}
