/** Bearer tokens: pinned algorithms, required claims, configured keys only. */
import { createHmac, generateKeyPairSync, type KeyObject } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import jwt from "jsonwebtoken";
import { client, minimalDirectory, predownloadBody, activity, attachment, department } from "../support/factories.js";
import { startStack, TEST_SECRET, type Stack } from "../support/stack.js";
import { Capture } from "../support/log-capture.js";

const BODY = predownloadBody();
const DIRECTORY = minimalDirectory();
const now = () => Math.floor(Date.now() / 1000);

function unsigned(header: object, payload: object): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  return `${part(header)}.${part(payload)}.`;
}

async function expect401(stack: Stack, token: string, code = "401-101"): Promise<Record<string, unknown>> {
  const res = await stack.post(BODY, { token });
  const body = (await res.json()) as Record<string, unknown>;
  expect(res.status, JSON.stringify(body)).to.equal(401);
  expect(body.code).to.equal(code);
  expect(res.headers.get("WWW-Authenticate")).to.equal('Bearer error="invalid_token"');
  return body;
}

describe("authentication with an HS256 secret", () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ env: { JWT_ISSUER: "https://idp.example", JWT_AUDIENCE: "predownload" } });
    await stack.importLines(DIRECTORY);
  });
  after(async () => stack?.close());

  const claims = { actor: "client", sub: "app1", iss: "https://idp.example", aud: "predownload" };
  const sign = (payload: Record<string, unknown>) =>
    jwt.sign({ ...claims, ...payload }, TEST_SECRET, { algorithm: "HS256", ...("exp" in payload ? {} : { expiresIn: 60 }) });

  it("accepts a valid token", async () => {
    const res = await stack.post(BODY, { token: sign({}) });
    expect(res.status).to.equal(200);
  });

  it("answers 401-104 with a bare Bearer challenge when there is no Authorization header", async () => {
    const res = await stack.post(BODY);
    expect(res.status).to.equal(401);
    expect(((await res.json()) as { code: string }).code).to.equal("401-104");
    expect(res.headers.get("WWW-Authenticate")).to.equal("Bearer");
  });

  it("accepts the Bearer scheme in any case (RFC 7235)", async () => {
    for (const scheme of ["bearer", "BEARER", "bEaReR"]) {
      const res = await stack.post(BODY, { headers: { Authorization: `${scheme} ${sign({})}` } });
      expect(res.status, scheme).to.equal(200);
    }
  });

  it("answers 401-104 with a bare Bearer challenge for another scheme or an empty bearer value", async () => {
    for (const header of ["Basic YWxhZGRpbjpvcGVuc2VzYW1l", "Token abc.def.ghi", "Bearer", "Bearer:abc", `Bearer${sign({})}`]) {
      const res = await stack.post(BODY, { headers: { Authorization: header } });
      expect(res.status, header).to.equal(401);
      expect(((await res.json()) as { code: string }).code, header).to.equal("401-104");
      expect(res.headers.get("WWW-Authenticate"), header).to.equal("Bearer");
    }
  });

  it("answers 401-101 with error=\"invalid_token\" for a presented bearer token that is malformed", async () => {
    for (const header of ["Bearer abc", "Bearer a.b", "bearer not-a-jwt", "Bearer a.b.c.d", "Bearer a b c", `Bearer  ${sign({})} extra`, `BEARER ${sign({})}=`]) {
      const res = await stack.post(BODY, { headers: { Authorization: header } });
      expect(res.status, header).to.equal(401);
      expect(((await res.json()) as { code: string }).code, header).to.equal("401-101");
      expect(res.headers.get("WWW-Authenticate"), header).to.equal('Bearer error="invalid_token"');
    }
  });

  it("refuses a token signed with another secret", async () => {
    await expect401(stack, jwt.sign(claims, "another-secret-that-is-at-least-32-bytes", { algorithm: "HS256", expiresIn: 60 }));
  });

  it("refuses a payload swapped after signing", async () => {
    const [header, , signature] = sign({}).split(".");
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: "someone-else", exp: now() + 60 })).toString("base64url");
    await expect401(stack, `${header}.${forged}.${signature}`);
  });

  it("refuses alg none in any casing", async () => {
    for (const alg of ["none", "None", "NONE"]) await expect401(stack, unsigned({ alg, typ: "JWT" }, { ...claims, exp: now() + 60 }));
  });

  it("refuses an algorithm that is not configured (HS384)", async () => {
    await expect401(stack, jwt.sign(claims, TEST_SECRET, { algorithm: "HS384", expiresIn: 60 }));
  });

  it("refuses a token without exp, and one with a non-numeric exp", async () => {
    await expect401(stack, jwt.sign(claims, TEST_SECRET, { algorithm: "HS256" }));
    await expect401(stack, unsignedHmac({ alg: "HS256", typ: "JWT" }, { ...claims, exp: "tomorrow" }, TEST_SECRET));
  });

  it("refuses a token expired beyond the clock tolerance but accepts one within it", async () => {
    await expect401(stack, sign({ exp: now() - 30 }));
    const res = await stack.post(BODY, { token: sign({ exp: now() - 1 }) });
    expect(res.status).to.equal(200);
  });

  it("refuses a token that is not yet valid", async () => {
    await expect401(stack, sign({ nbf: now() + 120 }));
  });

  it("refuses the wrong issuer or audience", async () => {
    await expect401(stack, sign({ iss: "https://other.example" }));
    await expect401(stack, sign({ aud: "someone-else" }));
  });

  it("refuses a token whose actor claim is missing or unknown", async () => {
    await expect401(stack, sign({ actor: undefined }));
    await expect401(stack, sign({ actor: "admin" }));
    await expect401(stack, sign({ sub: "" }));
  });

  it("records refused tokens as unauthenticated without the token", async () => {
    const token = jwt.sign(claims, "another-secret-that-is-at-least-32-bytes", { algorithm: "HS256", expiresIn: 60 });
    const res = await stack.post(BODY, { token });
    const requestId = res.headers.get("X-Request-Id");
    const events = (await stack.auditEvents()).filter((e) => e.requestId === requestId);
    expect(events.map((e) => e.outcome)).to.deep.equal(["unauthenticated"]);
    expect(JSON.stringify(events)).not.to.include(token.split(".")[2]!);
  });
});

describe("authentication: token edges", () => {
  const capture = new Capture();
  let stack: Stack;
  before(async () => {
    stack = await startStack({ env: { LOG_LEVEL: "info" }, logDestination: capture });
    await stack.importLines(DIRECTORY);
  });
  after(async () => stack?.close());

  const claims = () => ({ actor: "client", sub: "app1", exp: now() + 60 });
  const part = (text: string) => Buffer.from(text).toString("base64url");
  /** Signed with the configured secret, header and payload as given (JSON text, so that `1e400` stays as written). */
  const signedText = (header: string, payload: string) => {
    const input = `${part(header)}.${part(payload)}`;
    return `${input}.${createHmac("sha256", TEST_SECRET).update(input).digest("base64url")}`;
  };
  const signed = (header: object, payload: object) => signedText(JSON.stringify(header), JSON.stringify(payload));

  /** 401-101, no error-level log line, and an `unauthenticated` audit event for the request. */
  async function refused(token: string, what: string): Promise<void> {
    const logged = capture.lines().length;
    const res = await stack.post(BODY, { token });
    const body = (await res.json()) as Record<string, unknown>;
    expect(res.status, `${what}: ${JSON.stringify(body)}`).to.equal(401);
    expect(body.code, what).to.equal("401-101");
    expect(res.headers.get("WWW-Authenticate"), what).to.equal('Bearer error="invalid_token"');
    const requestId = res.headers.get("X-Request-Id");
    const events = (await stack.auditEvents()).filter((e) => e.requestId === requestId);
    expect(events.map((e) => [e.outcome, e.reason]), what).to.deep.equal([["unauthenticated", "401-101"]]);
    const errors = capture.lines().slice(logged).filter((line) => line.level === "error" || line.level === "fatal");
    expect(errors, what).to.deep.equal([]);
  }

  it("refuses a header whose alg is not a string, with 401-101 and never a 500", async () => {
    const payload = JSON.stringify(claims());
    for (const alg of ['{"toString":1,"valueOf":1}', '{"toString":null}', '["HS256"]', "256", "null", "true", '{"alg":"HS256"}']) {
      await refused(signedText(`{"alg":${alg},"typ":"JWT"}`, payload), `alg ${alg}`);
    }
    await refused(signedText('{"typ":"JWT"}', payload), "no alg");
  });

  it("refuses exp, nbf and iat that are not finite times between 1970 and 9999", async () => {
    const base = `"actor":"client","sub":"app1"`;
    const exp = `"exp":${now() + 60}`;
    const payloads = [
      `{${base},"exp":1e400}`,
      `{${base},"exp":1e300}`,
      `{${base},"exp":253402300800}`,
      `{${base},${exp},"nbf":-1e400}`,
      `{${base},${exp},"nbf":-1}`,
      `{${base},${exp},"iat":1e400}`,
      `{${base},${exp},"iat":"yesterday"}`,
      `{${base},${exp},"iat":null}`,
    ];
    for (const payload of payloads) await refused(signedText('{"alg":"HS256","typ":"JWT"}', payload), payload);
  });

  it("refuses a header that carries a key or names where to fetch one (jwk, jku, x5u, x5c)", async () => {
    const jwk = { kty: "oct", k: Buffer.from(TEST_SECRET).toString("base64url") };
    for (const extra of [{ jwk }, { jku: "https://attacker.example/jwks.json" }, { x5u: "https://attacker.example/cert.pem" }, { x5c: ["MIIB"] }, { jwk: null }]) {
      await refused(signed({ alg: "HS256", typ: "JWT", ...extra }, claims()), JSON.stringify(extra));
    }
    // The same token without them is accepted: only the key parameters made the difference.
    expect((await stack.post(BODY, { token: signed({ alg: "HS256", typ: "JWT" }, claims()) })).status).to.equal(200);
  });
});

describe("authentication with public keys", () => {
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const ecOther = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const dir = mkdtempSync(join(tmpdir(), "pd-keys-"));
  const claims = { actor: "client", sub: "app1" };
  const signWith = (key: KeyObject, algorithm: jwt.Algorithm, kid?: string) =>
    jwt.sign(claims, key, { algorithm, expiresIn: 60, ...(kid === undefined ? {} : { keyid: kid }) });

  describe("from a PEM file (RS256)", () => {
    let stack: Stack;
    before(async () => {
      const file = join(dir, "rsa.pem");
      writeFileSync(file, rsa.publicKey.export({ type: "spki", format: "pem" }));
      stack = await startStack({ env: { JWT_PUBLIC_KEY_FILE: file } });
      await stack.importLines(DIRECTORY);
    });
    after(async () => stack?.close());

    it("accepts an RS256 token signed by the configured key, with or without kid", async () => {
      expect((await stack.post(BODY, { token: signWith(rsa.privateKey, "RS256") })).status).to.equal(200);
      expect((await stack.post(BODY, { token: signWith(rsa.privateKey, "RS256", "any") })).status).to.equal(200);
    });

    it("still accepts HS256 tokens from the configured secret", async () => {
      expect((await stack.post(BODY, { token: stack.token("client", "app1") })).status).to.equal(200);
    });

    it("refuses an HS256 token whose secret is the public key (algorithm confusion)", async () => {
      const pem = rsa.publicKey.export({ type: "spki", format: "pem" }).toString();
      const forged = unsignedHmac({ alg: "HS256", typ: "JWT" }, { ...claims, exp: now() + 60 }, pem);
      await expect401(stack, forged);
    });

    it("refuses an RS256 token signed by another key, and an ES256 token", async () => {
      await expect401(stack, signWith(generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey, "RS256"));
      await expect401(stack, signWith(ec.privateKey, "ES256"));
    });
  });

  describe("from a JWKS file (ES256 and RS256, chosen by kid)", () => {
    let stack: Stack;
    before(async () => {
      const file = join(dir, "jwks.json");
      const jwk = (key: KeyObject, kid: string) => ({ ...key.export({ format: "jwk" }), kid, use: "sig" });
      writeFileSync(file, JSON.stringify({ keys: [jwk(ec.publicKey, "ec-1"), jwk(ecOther.publicKey, "ec-2"), jwk(rsa.publicKey, "rsa-1")] }));
      stack = await startStack({ env: { JWT_PUBLIC_KEY_FILE: file } });
      await stack.importLines(DIRECTORY);
    });
    after(async () => stack?.close());

    it("accepts tokens signed by each configured key under its kid", async () => {
      expect((await stack.post(BODY, { token: signWith(ec.privateKey, "ES256", "ec-1") })).status).to.equal(200);
      expect((await stack.post(BODY, { token: signWith(ecOther.privateKey, "ES256", "ec-2") })).status).to.equal(200);
      expect((await stack.post(BODY, { token: signWith(rsa.privateKey, "RS256", "rsa-1") })).status).to.equal(200);
    });

    it("refuses a token naming the kid of another key", async () => {
      await expect401(stack, signWith(ec.privateKey, "ES256", "ec-2"));
    });

    it("refuses an unknown kid, a kid that looks like a path or URL, and a missing kid among several keys", async () => {
      await expect401(stack, signWith(ec.privateKey, "ES256", "ec-9"));
      await expect401(stack, signWith(ec.privateKey, "ES256", "../../etc/passwd"));
      await expect401(stack, signWith(ec.privateKey, "ES256", "https://attacker.example/jwks.json"));
      await expect401(stack, signWith(ec.privateKey, "ES256"));
    });
  });
});

/** HS256 by hand, keyed with any text (jsonwebtoken itself refuses to use a PEM key as an HMAC secret). */
function unsignedHmac(header: object, payload: object, secret: string): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const input = `${part(header)}.${part(payload)}`;
  return `${input}.${createHmac("sha256", secret).update(input).digest("base64url")}`;
}
