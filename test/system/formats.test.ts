/** Accept negotiation, and XML answers that carry exactly what the JSON ones do, whatever the file name. */
import { expect } from "chai";
import { XMLValidator } from "fast-xml-parser";
import { activity, attachment, client, department, predownloadBody } from "../support/factories.js";
import { startStack, type Stack } from "../support/stack.js";
import { parseXml, XSI_NAMESPACE } from "../support/xml.js";

const MARKUP = `<b>"Q3" & 'Q4'</b> ]]> <![CDATA[x]]> &amp; <!-- c --> <?pi?>.pdf`;
const BODY = predownloadBody();

/** The JSON value as XML carries it: null as null (xsi:nil), numbers and booleans as their text. */
function asXmlText(value: unknown): string | null {
  return value === null ? null : String(value);
}

/** A URL without its signing time and signature: two presigns of one object in different seconds differ only there. */
function withoutSigningTime(url: unknown): string {
  const parsed = new URL(String(url));
  parsed.searchParams.delete("X-Amz-Date");
  parsed.searchParams.delete("X-Amz-Signature");
  return parsed.href;
}

/**
 * Expects the XML answer's fields to carry the JSON answer's, in order. The two come from two requests,
 * which may be signed in different seconds: the URL is compared without its signing time, the expiry to
 * within a few seconds.
 */
function expectSameFields(fields: Record<string, unknown>, json: Record<string, unknown>): void {
  expect(Object.keys(fields)).to.deep.equal(Object.keys(json));
  for (const [name, value] of Object.entries(json)) {
    if (name === "contentUrl") expect(withoutSigningTime(fields[name]), name).to.equal(withoutSigningTime(value));
    else if (name === "signedUrlExpiry") expect(Math.abs(Date.parse(String(fields[name])) - Date.parse(String(value))), name).to.be.at.most(5_000);
    else expect(fields[name], name).to.equal(asXmlText(value));
  }
}

describe("Media types", () => {
  let stack: Stack;
  let token: string;
  before(async () => {
    stack = await startStack();
    await stack.importLines([
      department("d1"),
      client("app1"),
      activity("a1"),
      attachment("att1"),
      attachment("att-markup", { fileName: MARKUP, contentType: "text/html; charset=\"utf-8\"" }),
      attachment("att-control", { fileName: "bell\u0007and\u0001nul.txt" }),
      attachment("att-blocked", { blocked: true, fileName: MARKUP }),
      attachment("att-empty", { encodingType: "", charset: "utf-8", contentId: null }),
      attachment("att-full", { encodingType: "base64", charset: "utf-8", contentId: "cid-1" }),
    ]);
    token = stack.token("client", "app1");
  });
  after(async () => stack?.close());

  describe("Accept negotiation", () => {
    // The whole lookup table is a unit test (test/unit/negotiation.test.ts); these prove the wiring.
    const chosen: Array<[string | undefined, string]> = [
      [undefined, "application/json"],
      ["application/xml", "application/xml"],
    ];
    for (const [accept, type] of chosen) {
      it(`answers ${type} for Accept: ${accept === undefined ? "(absent)" : JSON.stringify(accept)}`, async () => {
        const res = await stack.post(BODY, { token, headers: accept === undefined ? {} : { Accept: accept } });
        expect(res.status).to.equal(200);
        expect(res.headers.get("Content-Type")).to.equal(`${type}; charset=utf-8`);
        const text = await res.text();
        if (type === "application/xml") expect(XMLValidator.validate(text)).to.equal(true);
        else expect(JSON.parse(text)).to.have.property("altId", "att1");
      });
    }

    for (const accept of ["text/html"]) {
      it(`answers 406-101 in JSON for Accept: ${JSON.stringify(accept)}, before authentication`, async () => {
        const res = await stack.post(BODY, { headers: { Accept: accept, "Accept-Language": "de-DE" } });
        expect(res.status).to.equal(406);
        expect(res.headers.get("Content-Type")).to.equal("application/json; charset=utf-8");
        expect(res.headers.get("Content-Language")).to.equal("en-US");
        const body = (await res.json()) as { code: string; details: unknown };
        expect(body.code).to.equal("406-101");
        expect(body.details).to.deep.equal([{ key: "header", value: "Accept" }]);
      });
    }

    it("checks Accept before Accept-Language", async () => {
      const res = await stack.post(BODY, { token, headers: { Accept: "text/html", "Accept-Language": "tlh" } });
      expect(((await res.json()) as { code: string }).code).to.equal("406-101");
    });

    it("records a 406 on the endpoint as an invalid request", async () => {
      const res = await stack.post(BODY, { token, headers: { Accept: "text/html", "X-Request-Id": "formats-406" } });
      expect(res.status).to.equal(406);
      const events = (await stack.auditEvents()).filter((e) => e.requestId === "formats-406");
      expect(events.map((e) => [e.outcome, e.reason])).to.deep.equal([["invalid", "406-101"]]);
    });

    it("says that answers vary with Accept and Accept-Language", async () => {
      const res = await stack.post(BODY, { token });
      expect(res.headers.get("Vary")).to.equal("Accept, Accept-Language");
    });

    it("answers unknown routes and other methods in the negotiated media type", async () => {
      for (const [path, method, status] of [["/nowhere", "GET", 404], ["/assets/predownload", "DELETE", 405]] as const) {
        const res = await fetch(`${stack.api.url}${path}`, { method, headers: { Accept: "application/xml" } });
        expect(res.status).to.equal(status);
        expect(res.headers.get("Content-Type")).to.equal("application/xml; charset=utf-8");
        const parsed = parseXml(await res.text()) as { error: { code: string } };
        expect(parsed.error.code).to.equal(status === 404 ? "404-101" : "405-100");
      }
    });
  });

  describe("XML", () => {
    async function both(body: unknown, headers: Record<string, string> = {}): Promise<{ json: Record<string, unknown>; xml: Record<string, unknown>; text: string; status: number }> {
      const jsonRes = await stack.post(body, { token, headers: { ...headers, Accept: "application/json" } });
      const xmlRes = await stack.post(body, { token, headers: { ...headers, Accept: "application/xml" } });
      expect(xmlRes.status).to.equal(jsonRes.status);
      const text = await xmlRes.text();
      expect(XMLValidator.validate(text), text).to.equal(true);
      return { json: (await jsonRes.json()) as Record<string, unknown>, xml: parseXml(text), text, status: xmlRes.status };
    }

    it("starts with an XML declaration and has one element per field of the JSON answer, in the same order", async () => {
      const { json, xml, text } = await both(BODY);
      expect(text.startsWith('<?xml version="1.0" encoding="UTF-8"?><attachment')).to.equal(true);
      const fields = xml.attachment as Record<string, unknown>;
      expectSameFields(fields, json);
    });

    it("tells null from an empty string: null is xsi:nil, with the namespace declared on the root", async () => {
      const { json, xml, text } = await both({ ...BODY, altId: "att-empty" });
      expect(json).to.include({ encodingType: "", charset: "utf-8", contentId: null });
      expect(text).to.include(`<attachment xmlns:xsi="${XSI_NAMESPACE}">`);
      expect(text).to.include('<contentId xsi:nil="true"/>');
      expect(text).to.include("<encodingType/>");
      const fields = xml.attachment as Record<string, unknown>;
      expect(fields).to.include({ encodingType: "", charset: "utf-8", contentId: null });
      expectSameFields(fields, json);
    });

    it("declares no namespace when no field is null, and none on an error", async () => {
      const { json, text } = await both({ ...BODY, altId: "att-full" });
      expect(json).to.include({ encodingType: "base64", charset: "utf-8", contentId: "cid-1" });
      expect(text.startsWith('<?xml version="1.0" encoding="UTF-8"?><attachment><id>')).to.equal(true);
      expect(text).not.to.include("xsi");
      const error = await both({ ...BODY, altId: "missing" });
      expect(error.text.startsWith('<?xml version="1.0" encoding="UTF-8"?><error><code>')).to.equal(true);
    });

    it("parses back to the same data as the JSON for a file name full of markup characters", async () => {
      const { json, xml, text } = await both({ ...BODY, altId: "att-markup" });
      expect(json.fileName).to.equal(MARKUP);
      expect(text).not.to.include("<b>");
      expect(text).not.to.include("]]>");
      const fields = xml.attachment as Record<string, unknown>;
      expectSameFields(fields, json);
    });

    it("does the same for a blocked attachment and its message", async () => {
      const { json, xml } = await both({ ...BODY, altId: "att-blocked" }, { "Accept-Language": "fr-FR" });
      const fields = xml.attachment as Record<string, unknown>;
      expect(fields.fileName).to.equal(MARKUP);
      expect(fields.messageText).to.equal(json.messageText);
      expect(fields).not.to.have.any.keys("contentUrl", "signedUrlExpiry");
    });

    it("stays well formed for a file name with characters XML cannot carry, replacing only those", async () => {
      const { json, xml } = await both({ ...BODY, altId: "att-control" });
      expect(json.fileName).to.equal("bell\u0007and\u0001nul.txt");
      expect((xml.attachment as Record<string, unknown>).fileName).to.equal("bell\uFFFDand\uFFFDnul.txt");
    });

    it("renders an error with its details as <detail><key/><value/></detail>, markup in a detail included", async () => {
      const name = `<x a="1">&]]>`;
      const { json, xml, text, status } = await both({ ...BODY, [name]: 1 }, { "X-egain-error-message": "yes" });
      expect(status).to.equal(400);
      expect(json.details).to.deep.equal([{ key: "attribute", value: name }]);
      expect(text).to.match(/^<\?xml version="1\.0" encoding="UTF-8"\?><error><code>400-105<\/code><developerMessage>.*<\/developerMessage><details><detail><key>attribute<\/key><value>.*<\/value><\/detail><\/details><userMessage>.*<\/userMessage><\/error>$/s);
      expect(xml.error).to.deep.equal({ code: json.code, developerMessage: json.developerMessage, details: { detail: json.details }, userMessage: json.userMessage });
    });

    it("renders an error without details as an empty <details/> and without userMessage unless asked", async () => {
      const res = await stack.post({ ...BODY, altId: "missing" }, { token, headers: { Accept: "application/xml" } });
      const text = await res.text();
      expect(text).to.include("<details/>");
      expect(parseXml(text)).to.have.nested.property("error.code", "404-100");
      expect(text).not.to.include("userMessage");
    });
  });
});
