/** Secrets as the tests make and look for them: the HS256 secret, hand-made tokens. */
import { createHmac } from "node:crypto";

export const TEST_SECRET = "test-secret-that-is-at-least-32-bytes-long!";

/** Every piece of a secret that must not appear: the whole value and its signature part. */
export function secretParts(token: string): string[] {
  return [token, token.split(".")[2] ?? ""].filter((s) => s.length >= 16);
}

/**
 * An HS256 token whose header is `header` verbatim. JSON allows whitespace, so a header written
 * `{ "alg": "HS256" }` is as valid as jsonwebtoken's own, and encodes to `eyAi…` instead of `eyJ…`.
 */
export function tokenWithHeader(header: string, claims: Record<string, unknown>, secret = TEST_SECRET): string {
  const signingInput = `${Buffer.from(header).toString("base64url")}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}`;
  return `${signingInput}.${createHmac("sha256", secret).update(signingInput).digest("base64url")}`;
}

export const SPACED_HEADER = '{ "alg": "HS256", "typ": "JWT" }';
export const inFiveMinutes = () => Math.floor(Date.now() / 1000) + 300;
