/** Accept-Language negotiation over HTTP: the answer's language, for errors and the blocked message alike (the catalog itself: test/unit/catalog.test.ts). */
import { expect } from "chai";
import { XMLParser } from "fast-xml-parser";
import { errorMessages, MESSAGES } from "../../api/errors/messages/catalog.js";
import { LOCALES, type Locale } from "../../api/errors/messages/locales.js";
import { attachment, client, minimalDirectory, predownloadBody } from "../support/factories.js";
import { startStack, type Stack } from "../support/stack.js";

const BODY = predownloadBody();
const parser = new XMLParser({ parseTagValue: false, trimValues: false, ignoreDeclaration: true, isArray: (name) => name === "detail" });

describe("Languages", () => {
  describe("over HTTP", () => {
    let stack: Stack;
    let token: string;
    before(async () => {
      stack = await startStack();
      await stack.importLines([...minimalDirectory(), attachment("att-blocked", { blocked: true })]);
      token = stack.token("client", "app1");
    });
    after(async () => stack?.close());

    async function languageOf(acceptLanguage: string | undefined): Promise<string | null> {
      const res = await stack.post({ ...BODY, altId: "missing" }, { token, headers: acceptLanguage === undefined ? {} : { "Accept-Language": acceptLanguage } });
      const body = (await res.json()) as { code: string; developerMessage: string };
      const language = res.headers.get("Content-Language");
      if (res.status === 404) expect(body.developerMessage).to.equal(MESSAGES[language as Locale].errors["404-100"].developerMessage);
      return res.status === 406 ? null : language;
    }

    for (const locale of LOCALES) {
      it(`answers an error in ${locale}, userMessage included when asked`, async () => {
        const res = await stack.post({ app: "email", type: "attachment.inbound" }, { token, headers: { "Accept-Language": locale, "X-egain-error-message": "yes" } });
        expect(res.status).to.equal(400);
        expect(res.headers.get("Content-Language")).to.equal(locale);
        const body = (await res.json()) as Record<string, unknown>;
        expect(body).to.deep.equal({ code: "400-104", ...errorMessages(locale, "400-104", [{ key: "attribute", value: "altId" }]), details: [{ key: "attribute", value: "altId" }] });
        expect(body.developerMessage).to.include("altId");
      });

      it(`answers the blocked message in ${locale}, in JSON and in XML`, async () => {
        for (const accept of ["application/json", "application/xml"]) {
          const res = await stack.post({ ...BODY, altId: "att-blocked" }, { token, headers: { "Accept-Language": locale, Accept: accept } });
          expect(res.status).to.equal(200);
          expect(res.headers.get("Content-Language")).to.equal(locale);
          const text = await res.text();
          const body = accept === "application/json" ? (JSON.parse(text) as Record<string, unknown>) : ((parser.parse(text) as { attachment: Record<string, unknown> }).attachment);
          expect(body.messageText).to.equal(MESSAGES[locale].attachmentBlocked);
        }
      });
    }

    // The whole lookup table is a unit test (test/unit/negotiation.test.ts); these prove the wiring.
    const chosen: Array<[string | undefined, string]> = [
      [undefined, "en-US"],
      ["de;q=0.5, ja;q=0.8", "ja-JP"],
    ];
    for (const [header, locale] of chosen) {
      it(`answers in ${locale} for Accept-Language: ${header === undefined ? "(absent)" : JSON.stringify(header)}`, async () => {
        expect(await languageOf(header)).to.equal(locale);
      });
    }

    for (const header of ["tlh"]) {
      it(`answers 406-100 in en-US for Accept-Language: ${JSON.stringify(header)}, in the negotiated media type`, async () => {
        for (const accept of ["application/json", "application/xml"]) {
          const res = await stack.post(BODY, { headers: { "Accept-Language": header, Accept: accept, "X-egain-error-message": "yes" } });
          expect(res.status).to.equal(406);
          expect(res.headers.get("Content-Language")).to.equal("en-US");
          expect(res.headers.get("Content-Type")).to.equal(`${accept}; charset=utf-8`);
          const text = await res.text();
          const body = accept === "application/json" ? (JSON.parse(text) as Record<string, unknown>) : ((parser.parse(text) as { error: Record<string, unknown> }).error);
          expect(body.code).to.equal("406-100");
          expect(body.developerMessage).to.equal(MESSAGES["en-US"].errors["406-100"].developerMessage);
          expect(body.userMessage).to.equal(MESSAGES["en-US"].errors["406-100"].userMessage);
        }
      });
    }

    it("answers unknown routes and other methods in the negotiated language", async () => {
      const notFound = await fetch(`${stack.api.url}/nowhere`, { headers: { "Accept-Language": "ja" } });
      expect(notFound.headers.get("Content-Language")).to.equal("ja-JP");
      expect(((await notFound.json()) as { developerMessage: string }).developerMessage).to.equal("「/nowhere」にリソースはありません。");
      const wrongMethod = await fetch(`${stack.api.url}/assets/predownload`, { method: "GET", headers: { "Accept-Language": "ko-KR" } });
      expect(wrongMethod.headers.get("Content-Language")).to.equal("ko-KR");
      expect(((await wrongMethod.json()) as { developerMessage: string }).developerMessage).to.equal(errorMessages("ko-KR", "405-100", [{ key: "method", value: "GET" }, { key: "allowed", value: "POST" }]).developerMessage);
    });

    it("sets Content-Language on a success as on an error", async () => {
      const res = await stack.post(BODY, { token, headers: { "Accept-Language": "sv" } });
      expect(res.status).to.equal(200);
      expect(res.headers.get("Content-Language")).to.equal("sv-SE");
    });

    it("adds userMessage only when X-egain-error-message is yes", async () => {
      for (const [value, expected] of [[undefined, false], ["no", false], ["true", false], ["yes", true], ["YES", true]] as const) {
        const res = await stack.post({ ...BODY, altId: "missing" }, { token, headers: { "Accept-Language": "it-IT", ...(value === undefined ? {} : { "X-egain-error-message": value }) } });
        const body = (await res.json()) as Record<string, unknown>;
        if (expected) expect(body.userMessage).to.equal(MESSAGES["it-IT"].errors["404-100"].userMessage);
        else expect(body, String(value)).not.to.have.property("userMessage");
      }
    });
  });
});
