/**
 * Hostile callers: forged and confused tokens, keys the service must refuse to start with, bodies
 * built to break the parser or the validator, and stored names and types built to break out of the
 * download's headers or to render in a browser.
 */
import { createHmac, generateKeyPairSync, type KeyObject } from "node:crypto";
import { request } from "node:http";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import fc from "fast-check";
import jwt from "jsonwebtoken";
import { validatePredownload, predownloadSchema } from "../api/predownload/schema.js";
import { MAX_BODY_BYTES } from "../api/middleware/json-body.js";
import { createTokenVerifier, loadVerificationKeys } from "../api/tokens.js";
import { putObject } from "../scripts/embedded-s3.js";
import type { JwtConfig } from "../shared/config.js";
import { DirectoryLineError, isDirectoryId, parseLine } from "../shared/directory.js";
import { contentDisposition, downloadContentType, downloadName, DOWNLOAD_CONTENT_TYPE, MAX_DOWNLOAD_NAME_LENGTH } from "../worker/content-disposition.js";
import { runScript } from "./support/cli.js";
import { activity, attachment, client, department } from "./support/factories.js";
import { startStack, TEST_BUCKET, TEST_SECRET, type Stack } from "./support/stack.js";

const SEED = 7070;
const BODY = { app: "email", type: "attachment.inbound", altId: "att1" };
const DIRECTORY = [department("d1"), client("app1"), activity("a1"), attachment("att1")];
const now = () => Math.floor(Date.now() / 1000);
const part = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");

/** HS256 by hand, keyed with any bytes: jsonwebtoken refuses to use key material as an HMAC secret. */
function hmacToken(header: object, payload: object, secret: string | Buffer): string {
  const input = `${part(header)}.${part(payload)}`;
  return `${input}.${createHmac("sha256", secret).update(input).digest("base64url")}`;
}

async function status(stack: Stack, token: string): Promise<{ status: number; code: unknown }> {
  const res = await stack.post(BODY, { token });
  const body = (await res.json()) as { code?: unknown };
  return { status: res.status, code: body.code };
}

const keyDir = mkdtempSync(join(tmpdir(), "pd-hardening-"));
const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
const attacker = generateKeyPairSync("ec", { namedCurve: "P-256" });
const pemFile = join(keyDir, "rsa.pem");
writeFileSync(pemFile, rsa.publicKey.export({ type: "spki", format: "pem" }));
const jwk = (key: KeyObject, kid: string) => ({ ...key.export({ format: "jwk" }), kid, use: "sig" });
const jwksFile = join(keyDir, "jwks.json");
writeFileSync(jwksFile, JSON.stringify({ keys: [jwk(ec.publicKey, "ec-1"), jwk(rsa.publicKey, "rsa-1")] }));

describe("hardening: tokens", () => {
  const claims = () => ({ actor: "client", sub: "app1", exp: now() + 60 });

  describe("with only a PEM public key configured (no HS256 secret)", () => {
    let stack: Stack;
    before(async () => {
      stack = await startStack({ env: { JWT_SECRET: "", JWT_PUBLIC_KEY_FILE: pemFile } });
      await stack.importLines(DIRECTORY);
    });
    after(async () => stack?.close());

    it("accepts an RS256 token from the configured key", async () => {
      expect(await status(stack, jwt.sign(claims(), rsa.privateKey, { algorithm: "RS256" }))).to.deep.equal({ status: 200, code: undefined });
    });

    it("refuses HS256 tokens keyed with the public key in any encoding (algorithm confusion)", async () => {
      const secrets = [
        rsa.publicKey.export({ type: "spki", format: "pem" }).toString(),
        rsa.publicKey.export({ type: "pkcs1", format: "pem" }).toString(),
        rsa.publicKey.export({ type: "spki", format: "der" }),
        JSON.stringify(rsa.publicKey.export({ format: "jwk" })),
      ];
      for (const secret of secrets) {
        for (const alg of ["HS256", "HS384", "HS512"]) {
          expect(await status(stack, hmacToken({ alg, typ: "JWT" }, claims(), secret))).to.deep.equal({ status: 401, code: "401-101" });
        }
      }
    });

    it("refuses HS256 tokens signed with the secret a default configuration would use", async () => {
      expect(await status(stack, jwt.sign(claims(), TEST_SECRET, { algorithm: "HS256" }))).to.deep.equal({ status: 401, code: "401-101" });
    });

    it("refuses a token with critical header extensions it does not implement", async () => {
      const token = jwt.sign(claims(), rsa.privateKey, { algorithm: "RS256", header: { alg: "RS256", crit: ["exp"] } as jwt.JwtHeader });
      expect(await status(stack, token)).to.deep.equal({ status: 401, code: "401-101" });
    });

    it("refuses alg none and algorithm names in another casing", async () => {
      const signed = jwt.sign(claims(), rsa.privateKey, { algorithm: "RS256" });
      const [, payload, signature] = signed.split(".");
      for (const alg of ["none", "NONE", "nOnE", "rs256", "Rs256", "RS384", "PS256"]) {
        expect(await status(stack, `${part({ alg, typ: "JWT" })}.${payload}.${signature}`), alg).to.deep.equal({ status: 401, code: "401-101" });
        expect(await status(stack, `${part({ alg, typ: "JWT" })}.${payload}.`), alg).to.deep.equal({ status: 401, code: "401-101" });
      }
    });
  });

  describe("with only a JWKS file configured", () => {
    let stack: Stack;
    before(async () => {
      stack = await startStack({ env: { JWT_SECRET: "", JWT_PUBLIC_KEY_FILE: jwksFile } });
      await stack.importLines(DIRECTORY);
    });
    after(async () => stack?.close());

    it("refuses an HS256 token keyed with any configured public key", async () => {
      for (const key of [ec.publicKey, rsa.publicKey]) {
        for (const secret of [key.export({ type: "spki", format: "pem" }).toString(), JSON.stringify(key.export({ format: "jwk" }))]) {
          const token = hmacToken({ alg: "HS256", kid: "ec-1" }, claims(), secret);
          expect(await status(stack, token)).to.deep.equal({ status: 401, code: "401-101" });
        }
      }
    });

    it("ignores keys and key locations carried by the token itself (jwk, jku, x5u)", async () => {
      const attackerJwk = attacker.publicKey.export({ format: "jwk" });
      const headers = [
        { kid: "ec-1", jwk: attackerJwk },
        { kid: "ec-1", jku: "https://attacker.example/jwks.json" },
        { kid: "ec-1", x5u: "https://attacker.example/cert.pem" },
        { kid: "ec-1", x5c: ["MIIB"] },
      ];
      for (const header of headers) {
        const token = jwt.sign(claims(), attacker.privateKey, { algorithm: "ES256", header: { alg: "ES256", ...header } });
        expect(await status(stack, token), JSON.stringify(header)).to.deep.equal({ status: 401, code: "401-101" });
      }
      expect(await status(stack, jwt.sign(claims(), ec.privateKey, { algorithm: "ES256", keyid: "ec-1" }))).to.deep.equal({ status: 200, code: undefined });
    });
  });

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
      const oct = { kty: "oct", k: Buffer.from(TEST_SECRET).toString("base64url"), kid: "hmac" };
      expect(() => loadVerificationKeys(config(file("oct.json", JSON.stringify({ keys: [oct] })))), "oct").to.throw();
      const p384 = generateKeyPairSync("ec", { namedCurve: "P-384" }).publicKey;
      expect(() => loadVerificationKeys(config(file("p384.json", JSON.stringify({ keys: [jwk(p384, "p384")] }))))).to.throw(/unsupported key type/);
    });
  });

  describe("refusing to start", () => {
    it("exits 2 naming JWT_SECRET when the HS256 secret is under 32 bytes", async () => {
      const result = await runScript("api/main.ts", [], { JWT_SECRET: "x".repeat(31) });
      expect(result.code).to.equal(2);
      expect(result.stderr).to.include("JWT_SECRET: must be at least 32 bytes");
    });

    it("exits 2 naming both variables when no token key is configured", async () => {
      const result = await runScript("api/main.ts", [], {});
      expect(result.code).to.equal(2);
      expect(result.stderr).to.include("JWT_SECRET or JWT_PUBLIC_KEY_FILE");
    });

    it("exits 2 naming JWT_PUBLIC_KEY_FILE when its key is too weak", async () => {
      const weak = generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey.export({ type: "spki", format: "pem" }).toString();
      const path = join(keyDir, "weak-start.pem");
      writeFileSync(path, weak);
      const result = await runScript("api/main.ts", [], { JWT_PUBLIC_KEY_FILE: path, REDIS_URL: "redis://127.0.0.1:1" });
      expect(result.code).to.equal(2);
      expect(result.stderr).to.include("JWT_PUBLIC_KEY_FILE");
    });
  });
});

describe("hardening: request bodies", () => {
  let stack: Stack;
  let token: string;
  before(async () => {
    stack = await startStack();
    await stack.importLines(DIRECTORY);
    token = stack.token("client", "app1");
  });
  after(async () => stack?.close());

  async function answer(body: string | Uint8Array<ArrayBuffer>, headers: Record<string, string> = {}): Promise<{ status: number; code: string; details: unknown }> {
    const res = await fetch(`${stack.api.url}/assets/predownload`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}`, ...headers },
      body,
    });
    const parsed = (await res.json()) as { code: string; details: unknown };
    return { status: res.status, code: parsed.code, details: parsed.details };
  }

  it("refuses a chunked body over 16 KiB that declares no length, without reading it all", async () => {
    const result = await new Promise<{ status: number; code: string }>((resolve, reject) => {
      const req = request(`${stack.api.url}/assets/predownload`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}`, "Transfer-Encoding": "chunked" },
      });
      req.on("response", (res) => {
        let text = "";
        res.setEncoding("utf8").on("data", (c: string) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, code: (JSON.parse(text) as { code: string }).code }));
      });
      req.on("error", reject);
      req.write(`{"app":"email","type":"attachment.inbound","altId":"att1","content":"`);
      for (let i = 0; i < 20; i += 1) req.write("x".repeat(1024));
      req.end('"}');
    });
    expect(result).to.deep.equal({ status: 413, code: "413-100" });
  });

  // Whether the API has started reading when the caller hangs up is a race; both ways end alike.
  for (const [when, delayMs] of [["at once", 0], ["mid-body", 100]] as const) {
    it(`records a caller that hangs up ${when} as an invalid request, not as a fault`, async () => {
      const requestId = `hangs-up-${delayMs}`;
      const req = request(`${stack.api.url}/assets/predownload`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}`, "Content-Length": "1000", "X-Request-Id": requestId },
      });
      req.on("error", () => undefined);
      req.write('{"app":"email",');
      setTimeout(() => req.destroy(), delayMs);
      let events: Array<Record<string, unknown>> = [];
      for (let attempt = 0; attempt < 200 && events.length === 0; attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        events = (await stack.auditEvents()).filter((e) => e.requestId === requestId);
      }
      expect(events.map((e) => [e.outcome, e.reason])).to.deep.equal([["invalid", "400-102"]]);
      expect((await answer(JSON.stringify(BODY))).status).to.equal(200);
    });
  }

  it("takes JSON in UTF-8 only: another charset is 415, invalid UTF-8 bytes are 400-102", async () => {
    expect((await answer(JSON.stringify(BODY), { "Content-Type": "application/json; charset=utf-16" })).code).to.equal("415-100");
    expect((await answer(JSON.stringify(BODY), { "Content-Type": "application/json; charset=iso-8859-1" })).code).to.equal("415-100");
    expect((await answer(JSON.stringify(BODY), { "Content-Type": "application/json; charset=UTF-8" })).status).to.equal(200);
    const invalid = Buffer.concat([Buffer.from('{"app":"email","type":"attachment.inbound","altId":"att'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    expect((await answer(new Uint8Array(invalid))).code).to.equal("400-102");
  });

  it("refuses __proto__, constructor and prototype keys at every level without polluting prototypes", async () => {
    for (const key of ["__proto__", "constructor", "prototype"]) {
      const top = await answer(`{"app":"email","type":"attachment.inbound","altId":"att1","${key}":{"polluted":true}}`);
      expect(top, key).to.deep.equal({ status: 400, code: "400-105", details: [{ key: "attribute", value: key }] });
      const nested = await answer(`{"app":"email","type":"attachment.inbound","altId":"att1","link":{"rel":"self","${key}":{"polluted":true}}}`);
      expect(nested, key).to.deep.equal({ status: 400, code: "400-105", details: [{ key: "attribute", value: `link.${key}` }] });
    }
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, "polluted")).to.equal(false);
  });

  it("refuses control characters and lone surrogates in ids and texts", async () => {
    const cases: Array<[string, string]> = [
      ["altId", '"att\\u00001"'],
      ["altId", '"att\\u2028"'],
      ["altId", '"att\\ud800"'],
      ["id", '"10\\r\\n11"'],
      ["contentId", '"cid\\u0007"'],
      ["fileName", '"a\\u001bb.pdf"'],
      ["name", '"a\\udc00.pdf"'],
    ];
    for (const [attribute, json] of cases) {
      const body = `{"app":"email","type":"attachment.inbound",${attribute === "altId" ? "" : '"altId":"att1",'}"${attribute}":${json}}`;
      expect(await answer(body), `${attribute}=${json}`).to.deep.equal({ status: 400, code: "400-152", details: [{ key: "attribute", value: attribute }] });
    }
  });

  it("bounds every string attribute of the schema, each to at most the body limit", () => {
    const strings: Array<[string, number]> = [];
    const visit = (fields: Record<string, unknown>, prefix: string) => {
      for (const [name, field] of Object.entries(fields)) {
        const description = field as { type: string; oneOf: unknown[]; tests: Array<{ name?: string; params?: { max?: number } }>; fields?: Record<string, unknown> };
        if (description.type === "object") visit(description.fields ?? {}, `${prefix}${name}.`);
        if (description.type !== "string") continue;
        // An enumeration is bounded by its longest value.
        const max = description.oneOf.length > 0 ? Math.max(...description.oneOf.map((v) => String(v).length)) : description.tests.find((t) => t.name === "max")?.params?.max;
        expect(max, `${prefix}${name} has a maximum length`).to.be.a("number");
        expect(max!, `${prefix}${name}`).to.be.at.most(MAX_BODY_BYTES);
        strings.push([`${prefix}${name}`, max!]);
      }
    };
    visit(predownloadSchema.describe().fields, "");
    expect(strings.length).to.be.at.least(15);
    for (const [path, max] of strings) {
      const [outer, inner] = path.split(".") as [string, string | undefined];
      const value = "a".repeat(max + 1);
      const body = inner === undefined ? { ...BODY, [outer]: value } : { ...BODY, [outer]: { [inner]: value } };
      expect(() => validatePredownload(body), path).to.throw().with.property("code", "400-152");
    }
  });

  describe("deep nesting", () => {
    const depth = 5000;
    const deepArray = "[".repeat(depth) + "]".repeat(depth);
    const deepObject = '{"a":'.repeat(1500) + "1" + "}".repeat(1500);
    const cases: Array<[string, string, string, string | undefined]> = [
      ["the whole body", deepArray, "400-103", undefined],
      ["a known attribute", `{"app":"email","type":"attachment.inbound","altId":${deepArray}}`, "400-152", "altId"],
      ["link", `{"app":"email","type":"attachment.inbound","altId":"att1","link":${deepArray}}`, "400-152", "link"],
      ["inside link", `{"app":"email","type":"attachment.inbound","altId":"att1","link":{"rel":${deepArray}}}`, "400-152", "link.rel"],
      ["an unknown attribute", `{"app":"email","type":"attachment.inbound","altId":"att1","x":${deepObject}}`, "400-105", "x"],
      ["a known attribute, as objects", `{"app":"email","type":"attachment.inbound","altId":"att1","size":${deepObject}}`, "400-152", "size"],
    ];
    for (const [where, body, code, attribute] of cases) {
      it(`is refused with ${code} in ${where}, never with a 5xx`, async () => {
        expect(Buffer.byteLength(body)).to.be.at.most(MAX_BODY_BYTES);
        const result = await answer(body);
        expect(result.status).to.equal(400);
        expect(result.code).to.equal(code);
        if (attribute !== undefined) expect(result.details).to.deep.include({ key: "attribute", value: attribute });
      });
    }
  });

  it("reads a token from the Authorization header only: not a cookie, another header, the query or the body", async () => {
    const attempts: Array<[string, RequestInit]> = [
      ["/assets/predownload", { headers: { "Content-Type": "application/json", Cookie: `access_token=${token}` }, body: JSON.stringify(BODY) }],
      ["/assets/predownload", { headers: { "Content-Type": "application/json", "X-Access-Token": token }, body: JSON.stringify(BODY) }],
      ["/assets/predownload", { headers: { "Content-Type": "application/json", "Proxy-Authorization": `Bearer ${token}` }, body: JSON.stringify(BODY) }],
      ["/assets/predownload", { headers: { "Content-Type": "application/json" }, body: JSON.stringify({ ...BODY, access_token: token }) }],
      [`/assets/predownload?access_token=${token}`, { headers: { "Content-Type": "application/json", Authorization: "Bearer" }, body: JSON.stringify(BODY) }],
    ];
    for (const [path, init] of attempts) {
      const res = await fetch(`${stack.api.url}${path}`, { method: "POST", ...init });
      const text = await res.text();
      expect(res.status, path).to.be.oneOf([400, 401]);
      expect(text).not.to.include(token.split(".")[2]!);
    }
  });
});

describe("hardening: the directory", () => {
  // Such a string has no UTF-8 form: Redis would file "x\ud800" and "x\udc00" under one key, and the
  // read script's JSON decoder refuses the record, so the attachment could never be served.
  it("refuses lone surrogates in ids and texts at import, and in a token's sub", () => {
    const lines = [
      { ...attachment("x\ud800") },
      { ...attachment("att1", { fileName: "a\udc00.pdf" }) },
      { ...attachment("att1", { objectKey: "objects/\ud83d" }) },
      { ...client("app\udfff") },
    ];
    for (const line of lines) {
      expect(() => parseLine(JSON.stringify(line), 7), JSON.stringify(line)).to.throw(DirectoryLineError, /line 7: .*lone surrogate/);
    }
    expect(() => parseLine(JSON.stringify(attachment("att1", { fileName: "📎 clip.pdf" })), 1)).not.to.throw();
    expect(isDirectoryId("app\ud800")).to.equal(false);
    expect(isDirectoryId("app📎")).to.equal(true);
  });
});

describe("hardening: nothing internal in error bodies", () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ env: { REQUEST_TIMEOUT_MS: "1000" } });
    await stack.importLines(DIRECTORY);
    // Records no import would write: the worker fails reading them.
    await stack.redis.set(stack.keys.record("attachment", "corrupt"), "{not json at all");
    await stack.redis.set(stack.keys.record("client", "corrupt"), "[[[");
  });
  after(async () => stack?.close());

  it("answers an internal failure with the catalog's body only: no stack, no cause", async () => {
    const attempts = [
      stack.post({ ...BODY, altId: "corrupt" }, { token: stack.token("client", "app1") }),
      stack.post(BODY, { token: stack.token("client", "corrupt") }),
    ];
    for (const res of await Promise.all(attempts)) {
      const text = await res.text();
      expect(res.status, text).to.be.at.least(500);
      const body = JSON.parse(text) as Record<string, unknown>;
      expect(["500-100", "503-100"]).to.include(body.code);
      expect(Object.keys(body).every((k) => ["code", "developerMessage", "details"].includes(k)), text).to.equal(true);
      expect(text).not.to.match(/SyntaxError|Unexpected token|JSON\.parse|\bat [\w.<>]+ \(|node_modules|\.ts:\d+|ioredis|bullmq/i);
    }
  });
});

describe("hardening: downloads", () => {
  describe("Content-Disposition for any stored name", () => {
    it("is a printable-ASCII header with exactly filename and filename*, whatever the name", () => {
      const names = fc.oneof(
        fc.string({ unit: "binary", maxLength: 1200 }),
        fc.string({ unit: fc.constantFrom('"', ";", "\r", "\n", "\\", "%", "'", "/", "é", "📎", "\u202e", "\ud800", "\udc00", "a", ".", " "), maxLength: 300 }),
      );
      fc.assert(
        fc.property(names, (fileName) => {
          const header = contentDisposition(fileName);
          expect(header).to.match(/^attachment; filename="[\x20-\x7e]*"; filename\*=UTF-8''[A-Za-z0-9%._~-]+$/);
          expect(header.match(/filename="([^"]*)"/)![1]).not.to.match(/["\\%]/);
          const saved = decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(header)![1]!);
          expect(saved).to.equal(downloadName(fileName));
          expect(Array.from(saved).length).to.be.within(1, MAX_DOWNLOAD_NAME_LENGTH);
          expect(saved).not.to.match(/[\u0000-\u001f\u007f-\u009f\u2028\u2029/\\\u202a-\u202e\u2066-\u2069]/);
        }),
        { seed: SEED, numRuns: 2000 },
      );
    });

    it("shortens a 1,000-character name to its first characters plus its extension", () => {
      expect(downloadName(`${"a".repeat(996)}.pdf`)).to.equal(`${"a".repeat(MAX_DOWNLOAD_NAME_LENGTH - 4)}.pdf`);
      const emoji = downloadName(`${"📎".repeat(996)}.pdf`);
      expect(Array.from(emoji)).to.have.length(MAX_DOWNLOAD_NAME_LENGTH);
      expect(emoji.endsWith("📎.pdf")).to.equal(true);
    });

    it("removes bidirectional overrides that would disguise the extension", () => {
      expect(downloadName("invoice\u202efdp.exe")).to.equal("invoicefdp.exe");
    });
  });

  describe("the Content-Type a download is served with", () => {
    const cases: Array<[string, string]> = [
      ["application/pdf", "application/pdf"],
      ["text/plain; charset=utf-8", "text/plain; charset=utf-8"],
      ["image/png", "image/png"],
      ["application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"],
      ["text/html", DOWNLOAD_CONTENT_TYPE],
      ["Text/HTML; charset=utf-8", DOWNLOAD_CONTENT_TYPE],
      ["image/svg+xml", DOWNLOAD_CONTENT_TYPE],
      ["application/xhtml+xml", DOWNLOAD_CONTENT_TYPE],
      ["text/xml", DOWNLOAD_CONTENT_TYPE],
      ["application/xml", DOWNLOAD_CONTENT_TYPE],
      ["application/rss+xml", DOWNLOAD_CONTENT_TYPE],
      ["text/xsl", DOWNLOAD_CONTENT_TYPE],
      ["application/javascript", DOWNLOAD_CONTENT_TYPE],
      ["text/javascript; charset=utf-8", DOWNLOAD_CONTENT_TYPE],
      ["multipart/x-mixed-replace; boundary=x", DOWNLOAD_CONTENT_TYPE],
      ["*/*", DOWNLOAD_CONTENT_TYPE],
      ["unknown/unknown", DOWNLOAD_CONTENT_TYPE],
      ["", DOWNLOAD_CONTENT_TYPE],
      ["html", DOWNLOAD_CONTENT_TYPE],
      ["text/plain\r\nContent-Type: text/html", DOWNLOAD_CONTENT_TYPE],
      ['text/plain; charset="utf-8', DOWNLOAD_CONTENT_TYPE],
    ];
    for (const [stored, served] of cases) {
      it(`serves ${JSON.stringify(stored)} as ${served}`, () => {
        expect(downloadContentType(stored)).to.equal(served);
      });
    }
  });

  describe("against a real S3 server", () => {
    const FILES: Record<string, { fileName: string; contentType: string; body: string }> = {
      svg: { fileName: "logo.svg", contentType: "image/svg+xml", body: '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>' },
      xml: { fileName: "feed.xml", contentType: "application/xml", body: '<?xml version="1.0"?><x:script xmlns:x="http://www.w3.org/1999/xhtml">alert(1)</x:script>' },
      textXml: { fileName: "data.xml", contentType: "text/xml; charset=utf-8", body: "<a/>" },
      xhtml: { fileName: "page.xhtml", contentType: "application/xhtml+xml", body: '<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>' },
      html: { fileName: "page.html", contentType: "Text/HTML; charset=utf-8", body: "<script>alert(1)</script>" },
      long: { fileName: `${"Résumé ".repeat(150)}.pdf`.slice(-1000), contentType: "application/pdf", body: "%PDF-1.4\n" },
      crlf: { fileName: "a\r\nContent-Type: text/html\r\n\r\n<script>alert(1)</script>.txt", contentType: "text/plain", body: "crlf\n" },
    };
    let stack: Stack;
    before(async () => {
      stack = await startStack();
      const lines = [department("d1"), client("app1"), activity("a1")];
      for (const [altId, file] of Object.entries(FILES)) {
        await putObject(stack.s3.client, TEST_BUCKET, `objects/${altId}`, file.body, "application/octet-stream");
        lines.push(attachment(altId, { fileName: file.fileName, contentType: file.contentType, size: file.body.length }));
      }
      await stack.importLines(lines);
    });
    after(async () => stack?.close());

    async function download(altId: string): Promise<{ response: Record<string, unknown>; file: Response }> {
      const res = await stack.post({ ...BODY, altId }, { token: stack.token("client", "app1") });
      const response = (await res.json()) as Record<string, unknown>;
      expect(res.status, JSON.stringify(response)).to.equal(200);
      return { response, file: await fetch(response.contentUrl as string) };
    }

    for (const altId of ["svg", "xml", "textXml", "xhtml", "html"]) {
      it(`downloads the ${altId} attachment as ${DOWNLOAD_CONTENT_TYPE} with Content-Disposition attachment`, async () => {
        const { response, file } = await download(altId);
        expect(file.status).to.equal(200);
        expect(file.headers.get("content-type")).to.equal(DOWNLOAD_CONTENT_TYPE);
        expect(file.headers.get("content-disposition")).to.match(/^attachment; filename="/);
        expect(await file.text()).to.equal(FILES[altId]!.body);
        // The caller still learns the stored type from the API.
        expect(response.contentType).to.equal(FILES[altId]!.contentType);
      });
    }

    it("downloads a file with a 1,000-character name under a bounded name that keeps its extension", async () => {
      expect(FILES.long!.fileName).to.have.length(1000);
      const { file } = await download("long");
      expect(file.status).to.equal(200);
      const disposition = file.headers.get("content-disposition")!;
      const saved = decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(disposition)![1]!);
      expect(Array.from(saved)).to.have.length(MAX_DOWNLOAD_NAME_LENGTH);
      expect(saved.endsWith(".pdf")).to.equal(true);
      expect(file.headers.get("content-type")).to.equal("application/pdf");
    });

    it("keeps CR and LF in a stored name from adding headers or a body", async () => {
      const { file } = await download("crlf");
      expect(file.status).to.equal(200);
      expect(file.headers.get("content-type")).to.equal("text/plain");
      expect(await file.text()).to.equal("crlf\n");
      const disposition = file.headers.get("content-disposition")!;
      expect(disposition).not.to.match(/[\r\n]/);
      // Everything up to the last path separator goes too: a stored name never chooses a directory.
      expect(decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(disposition)![1]!)).to.equal("script>.txt");
    });
  });
});
