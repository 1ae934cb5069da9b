/** Token verification keys the service refuses to load: none, weak, private or of an unsupported kind. */
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { createTokenVerifier, loadVerificationKeys } from "../../api/tokens.js";
import type { JwtConfig } from "../../shared/runtime/config.js";

const SECRET = "a-shared-secret-that-is-at-least-32-bytes";
const keyDir = mkdtempSync(join(tmpdir(), "pd-keys-"));
const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
const jwk = (key: KeyObject, kid: string) => ({ ...key.export({ format: "jwk" }), kid, use: "sig" });

describe("keys a verifier refuses to load", () => {
  const config = (publicKeyFile: string): JwtConfig => ({ secret: undefined, publicKeyFile, issuer: undefined, audience: undefined, clockToleranceSeconds: 5 });
  const file = (name: string, content: string) => {
    const path = join(keyDir, name);
    writeFileSync(path, content);
    return path;
  };

  it("refuses to verify anything without a key", () => {
    expect(() => createTokenVerifier({ ...config(""), publicKeyFile: undefined }, [])).to.throw(/no token verification key/);
  });

  it("refuses an RSA key shorter than 2048 bits", () => {
    const weak = generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey;
    expect(() => loadVerificationKeys(config(file("weak.pem", weak.export({ type: "spki", format: "pem" }).toString())))).to.throw(/1024 bits is too short/);
    expect(() => loadVerificationKeys(config(file("weak.json", JSON.stringify({ keys: [jwk(weak, "weak")] }))))).to.throw(/1024 bits is too short/);
  });

  it("refuses private key material, as PEM or as a JWK", () => {
    const pem = rsa.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    expect(() => loadVerificationKeys(config(file("private.pem", pem)))).to.throw(/private key/);
    const privateJwk = { ...ec.privateKey.export({ format: "jwk" }), kid: "p", use: "sig" };
    expect(() => loadVerificationKeys(config(file("private.json", JSON.stringify({ keys: [privateJwk] }))))).to.throw(/private key/);
  });

  it("refuses symmetric keys in a JWKS file and curves other than P-256", () => {
    const oct = { kty: "oct", k: Buffer.from(SECRET).toString("base64url"), kid: "hmac" };
    expect(() => loadVerificationKeys(config(file("oct.json", JSON.stringify({ keys: [oct] })))), "oct").to.throw();
    const p384 = generateKeyPairSync("ec", { namedCurve: "P-384" }).publicKey;
    expect(() => loadVerificationKeys(config(file("p384.json", JSON.stringify({ keys: [jwk(p384, "p384")] }))))).to.throw(/unsupported key type/);
  });

  after(() => rmSync(keyDir, { recursive: true, force: true }));
});
