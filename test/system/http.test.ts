/** The HTTP contract: request validation, error bodies and codes, standard headers. */
import { expect } from "chai";
import { errorMessages } from "../../api/errors/messages/catalog.js";
import { attachment, client, minimalDirectory, predownloadBody } from "../support/factories.js";
import { startStack, type Stack } from "../support/stack.js";
import { parseXml } from "../support/xml.js";

const BODY = predownloadBody();

describe("HTTP contract", () => {
  let stack: Stack;
  let token: string;
  before(async () => {
    stack = await startStack();
    await stack.importLines(minimalDirectory());
    token = stack.token("client", "app1");
  });
  after(async () => stack?.close());

  async function error(res: Response, status: number, code: string): Promise<{ code: string; developerMessage: string; details: Array<{ key: string; value: string }>; userMessage?: string }> {
    const body = (await res.json()) as Awaited<ReturnType<typeof error>>;
    expect(res.status, JSON.stringify(body)).to.equal(status);
    expect(body.code).to.equal(code);
    expect(body.developerMessage).to.be.a("string").and.not.equal("");
    expect(body.details).to.be.an("array");
    return body;
  }

  describe("validation", () => {
    const cases: Array<[string, unknown, string, string[]]> = [
      ["a missing required attribute, naming it", { app: "email", type: "attachment.inbound" }, "400-104", ["altId"]],
      ["several missing attributes, naming each", { altId: "att1" }, "400-104", ["app", "type"]],
      ["an unknown attribute, naming it", { ...BODY, colour: "red" }, "400-105", ["colour"]],
      ["a __proto__ key", JSON.parse('{"app":"email","type":"attachment.inbound","altId":"att1","__proto__":{"admin":true}}'), "400-105", ["__proto__"]],
      ["an unknown attribute inside link", { ...BODY, link: { rel: "self", href: "/x", extra: 1 } }, "400-105", ["link.extra"]],
      ["an app outside the enum", { ...BODY, app: "fax" }, "400-152", ["app"]],
      ["a type outside the enum", { ...BODY, type: "attachment.sideways" }, "400-152", ["type"]],
      ["a number given as a string (no coercion)", { ...BODY, size: "12" }, "400-152", ["size"]],
      ["a boolean given as a string (no coercion)", { ...BODY, inline: "true" }, "400-152", ["inline"]],
      ["a negative size", { ...BODY, size: -1 }, "400-152", ["size"]],
      ["a fractional size", { ...BODY, size: 1.5 }, "400-152", ["size"]],
      ["a name outside the seed's pattern", { ...BODY, name: "a<b>.pdf" }, "400-152", ["name"]],
      ["a name longer than 255 characters", { ...BODY, name: `${"a".repeat(252)}.pdf` }, "400-152", ["name"]],
      ["an empty name", { ...BODY, name: "" }, "400-152", ["name"]],
      ["a signedUrlExpiry that is not a date-time", { ...BODY, signedUrlExpiry: "tomorrow" }, "400-152", ["signedUrlExpiry"]],
      ["a signedUrlExpiry on February 30 (not rolled over to March 2)", { ...BODY, signedUrlExpiry: "2026-02-30T00:00:00Z" }, "400-152", ["signedUrlExpiry"]],
      ["a signedUrlExpiry in month 13", { ...BODY, signedUrlExpiry: "2026-13-01T00:00:00Z" }, "400-152", ["signedUrlExpiry"]],
      ["a created date on April 31", { ...BODY, created: "2026-04-31T10:00:00+02:00" }, "400-152", ["created"]],
      ["a created date that is not ISO 8601", { ...BODY, created: "28/11/2026" }, "400-152", ["created"]],
      ["an altId with a control character", { ...BODY, altId: "att\u00001" }, "400-152", ["altId"]],
      ["an altId that is too long", { ...BODY, altId: "x".repeat(129) }, "400-152", ["altId"]],
      ["an altId that is a number", { ...BODY, altId: 42 }, "400-152", ["altId"]],
      ["a null app", { ...BODY, app: null }, "400-152", ["app"]],
      ["a null altId", { ...BODY, altId: null }, "400-152", ["altId"]],
      ["a null fileName (only contentId, encodingType and charset may be null)", { ...BODY, fileName: null }, "400-152", ["fileName"]],
      ["a null size", { ...BODY, size: null }, "400-152", ["size"]],
      ["a null inline", { ...BODY, inline: null }, "400-152", ["inline"]],
      ["a null link", { ...BODY, link: null }, "400-152", ["link"]],
      ["a contentId that is a number", { ...BODY, contentId: 1 }, "400-152", ["contentId"]],
    ];
    for (const [name, body, code, attributes] of cases) {
      it(`refuses ${name} with ${code}`, async () => {
        const res = await stack.post(body, { token });
        const parsed = await error(res, 400, code);
        expect(parsed.details).to.deep.equal(attributes.map((value) => ({ key: "attribute", value })));
        expect(parsed.developerMessage).to.include(attributes[0]);
      });
    }

    it("accepts every optional seed field with a valid value", async () => {
      const res = await stack.post(
        {
          ...BODY,
          link: { rel: "self", href: "/assets/att1" },
          fileName: "report.pdf",
          name: "Quarterly report: Q3 & Q4 - final_v2 ü.pdf",
          contentType: "application/pdf",
          size: 17245,
          signedUrlExpiry: new Date(Date.now() + 60_000).toISOString(),
          encodingType: "base64",
          charset: "utf-8",
          blocked: false,
          inline: false,
          contentId: "cid-1",
          contentUrl: "https://example.invalid/x",
          created: "2026-11-01T10:00:00.000+01:00",
          content: "",
          messageText: "hello",
          id: "1011",
        },
        { token },
      );
      expect(res.status, await res.clone().text()).to.equal(200);
    });

    describe("a signedUrlExpiry already in the past", () => {
      const toleranceMs = () => stack.config.jwt.clockToleranceSeconds * 1000;

      it("refuses one past by more than JWT_CLOCK_TOLERANCE_SECONDS with 400-152 naming it, audited as invalid", async () => {
        const requestId = "expiry-long-past";
        const res = await stack.post({ ...BODY, signedUrlExpiry: new Date(Date.now() - toleranceMs() - 30_000).toISOString() }, { token, headers: { "X-Request-Id": requestId } });
        const parsed = await error(res, 400, "400-152");
        expect(parsed.details).to.deep.equal([{ key: "attribute", value: "signedUrlExpiry" }]);
        const events = (await stack.auditEvents()).filter((e) => e.requestId === requestId);
        expect(events.map((e) => [e.outcome, e.reason])).to.deep.equal([["invalid", "400-152"]]);
      });

      it("clamps one past by less than JWT_CLOCK_TOLERANCE_SECONDS to one second from now", async () => {
        expect(toleranceMs()).to.be.at.least(3000);
        const requested = Date.now() - toleranceMs() + 2000;
        const res = await stack.post({ ...BODY, signedUrlExpiry: new Date(requested).toISOString() }, { token });
        expect(res.status, await res.clone().text()).to.equal(200);
        const expiry = Date.parse(((await res.json()) as { signedUrlExpiry: string }).signedUrlExpiry);
        // One second after the signing second, which began at most a second before now (and a few
        // seconds before the answer is read, on a loaded machine).
        expect(expiry).to.be.above(requested);
        expect(expiry - Date.now()).to.be.within(-5000, 1000);
      });
    });

    it("accepts null for contentId, encodingType and charset, as a 200 body carries them", async () => {
      const res = await stack.post({ ...BODY, contentId: null, encodingType: null, charset: null }, { token });
      expect(res.status, await res.clone().text()).to.equal(200);
    });

    it("accepts a 200 body posted back as the request", async () => {
      const first = await stack.post(BODY, { token });
      expect(first.status).to.equal(200);
      const answer = (await first.json()) as Record<string, unknown>;
      expect(answer).to.include({ contentId: null, encodingType: null, charset: null });
      const again = await stack.post(answer, { token });
      expect(again.status, await again.clone().text()).to.equal(200);
    });

    it("refuses a body that is not an object with 400-103", async () => {
      for (const body of ["[1,2]", "\"text\"", "42", "null"]) await error(await stack.post(body, { token }), 400, "400-103");
    });

    it("refuses malformed JSON with 400-102", async () => {
      await error(await stack.post('{"app": "email",', { token }), 400, "400-102");
    });

    it("refuses a body that is not JSON with 415", async () => {
      await error(await stack.post("app=email", { token, headers: { "Content-Type": "application/x-www-form-urlencoded" } }), 415, "415-100");
    });

    it("refuses a body over 16 KiB with 413", async () => {
      await error(await stack.post({ ...BODY, content: "x".repeat(17 * 1024) }, { token }), 413, "413-100");
    });

    it("refuses query parameters with 400-101, a token in the query string included", async () => {
      const res = await fetch(`${stack.api.url}/assets/predownload?access_token=${token}`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(BODY),
      });
      const body = await error(res, 400, "400-101");
      expect(body.details).to.deep.equal([{ key: "parameter", value: "access_token" }]);
      expect(JSON.stringify(body)).not.to.include(token);
    });

    it("records refused requests as invalid, with the request id", async () => {
      const res = await stack.post({ ...BODY, colour: "red" }, { token, headers: { "X-Request-Id": "invalid-audit-1" } });
      expect(res.status).to.equal(400);
      const events = (await stack.auditEvents()).filter((e) => e.requestId === "invalid-audit-1");
      expect(events.map((e) => [e.outcome, e.reason])).to.deep.equal([["invalid", "400-105"]]);
    });
  });

  describe("routes and methods", () => {
    it("answers 405 with Allow for another method on the endpoint", async () => {
      const res = await fetch(`${stack.api.url}/assets/predownload`, { method: "GET" });
      await error(res, 405, "405-100");
      expect(res.headers.get("Allow")).to.equal("POST");
    });

    it("answers 404-101 for an unknown route", async () => {
      await error(await fetch(`${stack.api.url}/assets/other`, { method: "POST" }), 404, "404-101");
    });
  });

  describe("headers and error bodies", () => {
    it("echoes a well-formed X-Request-Id and replaces a malformed one", async () => {
      const echoed = await stack.post(BODY, { token, headers: { "X-Request-Id": "abc-123.x:y_z" } });
      expect(echoed.headers.get("X-Request-Id")).to.equal("abc-123.x:y_z");
      const replaced = await stack.post(BODY, { token, headers: { "X-Request-Id": "bad id with spaces <script>" } });
      expect(replaced.headers.get("X-Request-Id")).to.match(/^[0-9a-f-]{36}$/);
    });

    it("sets the standard headers on success and on errors", async () => {
      for (const res of [await stack.post(BODY, { token }), await stack.post(BODY), await fetch(`${stack.api.url}/nowhere`)]) {
        expect(res.headers.get("Cache-Control")).to.equal("no-store");
        expect(res.headers.get("X-Content-Type-Options")).to.equal("nosniff");
        expect(res.headers.get("Content-Language")).to.equal("en-US");
        expect(res.headers.get("X-Request-Id")).to.be.a("string");
        expect(res.headers.get("Content-Type")).to.match(/^application\/json/);
      }
    });

    it("adds userMessage only when X-egain-error-message is yes", async () => {
      const without = await error(await stack.post({ ...BODY, altId: "missing" }, { token }), 404, "404-100");
      expect(without).not.to.have.property("userMessage");
      const withIt = await error(await stack.post({ ...BODY, altId: "missing" }, { token, headers: { "X-egain-error-message": "yes" } }), 404, "404-100");
      expect(withIt.userMessage).to.be.a("string").and.not.equal("");
    });
  });
});

describe("HTTP contract: a fault in the worker", () => {
  const CAUSE = "presigner exploded: credentials for s3://attachments rejected";
  let stack: Stack;
  let token: string;
  let calls = 0;
  before(async () => {
    stack = await startStack({
      presign: async () => {
        calls += 1;
        throw new Error(CAUSE);
      },
    });
    await stack.importLines(minimalDirectory());
    token = stack.token("client", "app1");
  });
  after(async () => stack?.close());

  for (const accept of ["application/json", "application/xml"]) {
    it(`answers 500-100 in ${accept} without the cause, and records exactly one error event (presign_failed)`, async () => {
      const requestId = `presign-throws-${accept.split("/")[1]!}`;
      const before = calls;
      const res = await stack.post(BODY, { token, headers: { Accept: accept, "X-Request-Id": requestId, "X-egain-error-message": "yes" } });
      const text = await res.text();
      expect(res.status, text).to.equal(500);
      expect(res.headers.get("Content-Type")).to.equal(`${accept}; charset=utf-8`);
      expect(calls - before, "the worker tried to presign once").to.equal(1);
      const body = accept === "application/json" ? (JSON.parse(text) as Record<string, unknown>) : (parseXml(text).error as Record<string, unknown>);
      expect(body).to.deep.equal({ code: "500-100", ...errorMessages("en-US", "500-100", []), details: accept === "application/json" ? [] : "" });
      for (const leak of ["exploded", "credentials", "s3://", "Error", "presign", "stack", ".ts:", "    at "]) expect(text, leak).not.to.include(leak);

      const events = await stack.auditEvents();
      expect(events.filter((e) => e.requestId === requestId).map((e) => [e.outcome, e.reason])).to.deep.equal([["error", "presign_failed"]]);
      expect(JSON.stringify(events)).not.to.include("exploded");
    });
  }

  it("records one error event per failed request, and nothing else", async () => {
    const events = await stack.auditEvents();
    expect(events.map((e) => [e.outcome, e.reason])).to.deep.equal([
      ["error", "presign_failed"],
      ["error", "presign_failed"],
    ]);
  });
});
