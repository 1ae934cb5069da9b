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
import { brotliCompressSync, gzipSync } from "node:zlib";
import { expect } from "chai";
import jwt from "jsonwebtoken";
import { MAX_BODY_BYTES } from "../../api/middleware/json-body.js";
import { putObject } from "../../dev/embedded-s3.js";
import { DOWNLOAD_CONTENT_TYPE, MAX_DOWNLOAD_NAME_LENGTH } from "../../worker/content-disposition.js";
import { runScript } from "../support/cli.js";
import { activity, attachment, client, department, minimalDirectory, predownloadBody } from "../support/factories.js";
import { startStack, TEST_BUCKET, TEST_SECRET, type Stack } from "../support/stack.js";

const BODY = predownloadBody();
const DIRECTORY = minimalDirectory();
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

    it("refuses keys and key locations carried by the token itself (jwk, jku, x5u, x5c)", async () => {
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
      // Counted from the connection, not from now: on a loaded machine connecting may take a while
      // (a socket the agent kept alive is connected already).
      const hangUp = () => setTimeout(() => req.destroy(), delayMs);
      req.once("socket", (socket) => (socket.connecting ? socket.once("connect", hangUp) : hangUp()));
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

  it("takes the JSON text as sent: a byte order mark, a truncated UTF-8 sequence or an empty body is 400-102", async () => {
    const text = JSON.stringify(BODY);
    expect((await answer(new Uint8Array(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])))).code).to.equal("400-102");
    const truncated = Buffer.concat([Buffer.from('{"app":"email","type":"attachment.inbound","altId":"att1","id":"'), Buffer.from([0xf0, 0x9f, 0x98]), Buffer.from('"}')]);
    expect((await answer(new Uint8Array(truncated))).code).to.equal("400-102");
    expect(await answer("")).to.deep.equal({ status: 400, code: "400-102", details: [] });
    expect((await answer(text)).status).to.equal(200);
  });

  it("does not inflate a compressed body: Content-Encoding gzip or br is 400-102", async () => {
    const text = JSON.stringify(BODY);
    expect((await answer(new Uint8Array(gzipSync(text)), { "Content-Encoding": "gzip" })).code).to.equal("400-102");
    expect((await answer(new Uint8Array(brotliCompressSync(text)), { "Content-Encoding": "br" })).code).to.equal("400-102");
    expect((await answer(text, { "Content-Encoding": "identity" })).status).to.equal(200);
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
  describe("against a real S3 server", () => {
    const FILES: Record<string, { fileName: string; contentType: string; body: string }> = {
      svg: { fileName: "logo.svg", contentType: "image/svg+xml", body: '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>' },
      xml: { fileName: "feed.xml", contentType: "application/xml", body: '<?xml version="1.0"?><x:script xmlns:x="http://www.w3.org/1999/xhtml">alert(1)</x:script>' },
      textXml: { fileName: "data.xml", contentType: "text/xml; charset=utf-8", body: "<a/>" },
      xhtml: { fileName: "page.xhtml", contentType: "application/xhtml+xml", body: '<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>' },
      html: { fileName: "page.html", contentType: "Text/HTML; charset=utf-8", body: "<script>alert(1)</script>" },
      long: { fileName: `${"Résumé ".repeat(150)}.pdf`.slice(-1000), contentType: "application/pdf", body: "%PDF-1.4\n" },
      crlf: { fileName: "a\r\nContent-Type: text/html\r\n\r\n<script>alert(1)</script>.txt", contentType: "text/plain", body: "crlf\n" },
      livescript: { fileName: "page.ls", contentType: "text/livescript", body: "alert(1)" },
      mail: { fileName: "note.eml", contentType: "message/rfc822", body: "Content-Type: text/html\r\n\r\n<script>alert(1)</script>" },
      text: { fileName: "notes.txt", contentType: "Text/Plain; Charset=UTF-8; format=flowed", body: "notes\n" },
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

    for (const altId of ["svg", "xml", "textXml", "xhtml", "html", "livescript", "mail"]) {
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

    it("signs a passive type into the URL lowercased, with only its charset", async () => {
      const { response, file } = await download("text");
      expect(new URL(response.contentUrl as string).searchParams.get("response-content-type")).to.equal("text/plain; charset=utf-8");
      expect(file.status).to.equal(200);
      expect(file.headers.get("content-type")).to.equal("text/plain; charset=utf-8");
      expect(await file.text()).to.equal("notes\n");
    });

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
