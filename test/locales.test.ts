/** Accept-Language negotiation, and the message catalog: complete, consistent and translated in every locale. */
import { expect } from "chai";
import { XMLParser } from "fast-xml-parser";
import { ERROR_CODES } from "../shared/errors.js";
import { errorMessages, formatMessage, MESSAGES, placeholders } from "../shared/messages/catalog.js";
import { LANGUAGE_DEFAULTS, LOCALES, type Locale } from "../shared/messages/locales.js";
import type { Messages } from "../shared/messages/messages.js";
import { activity, attachment, client, department } from "./support/factories.js";
import { startStack, type Stack } from "./support/stack.js";

const BODY = { app: "email", type: "attachment.inbound", altId: "att1" };
const parser = new XMLParser({ parseTagValue: false, trimValues: false, ignoreDeclaration: true, isArray: (name) => name === "detail" });

/** Every message of a locale, by a name such as `400-104.developerMessage`. */
function flatten(messages: Messages): Map<string, string> {
  const flat = new Map<string, string>([["attachmentBlocked", messages.attachmentBlocked]]);
  for (const [code, entry] of Object.entries(messages.errors)) {
    flat.set(`${code}.developerMessage`, entry.developerMessage);
    flat.set(`${code}.userMessage`, entry.userMessage);
  }
  return flat;
}

describe("Languages", () => {
  describe("the message catalog", () => {
    const reference = flatten(MESSAGES["en-US"]);

    it("has messages for exactly the 15 seed locales", () => {
      expect(Object.keys(MESSAGES)).to.have.members([...LOCALES]);
      expect(LOCALES).to.have.length(15);
    });

    it("has a developerMessage and a userMessage for every code in en-US", () => {
      expect(Object.keys(MESSAGES["en-US"].errors)).to.deep.equal([...ERROR_CODES]);
    });

    for (const locale of LOCALES) {
      it(`${locale} has every message, non-empty, with the same placeholders as en-US`, () => {
        const flat = flatten(MESSAGES[locale]);
        expect([...flat.keys()]).to.have.members([...reference.keys()]);
        for (const [key, text] of flat) {
          expect(text.trim(), `${locale} ${key}`).to.not.equal("");
          expect(placeholders(text), `${locale} ${key}: ${text}`).to.deep.equal(placeholders(reference.get(key)!));
        }
      });
    }

    for (const locale of LOCALES.filter((l) => l !== "en-US")) {
      it(`${locale} is translated: no message is the English one`, () => {
        for (const [key, text] of flatten(MESSAGES[locale])) expect(text, `${locale} ${key}`).to.not.equal(reference.get(key));
      });
    }

    for (const [regional, main] of [["fr-CA", "fr-FR"], ["pt-PT", "pt-BR"]] as const) {
      it(`${regional} says things its own way where it differs from ${main}`, () => {
        const own = flatten(MESSAGES[regional]);
        const other = flatten(MESSAGES[main]);
        const differing = [...own.keys()].filter((key) => own.get(key) !== other.get(key));
        expect(differing).to.include.members(["attachmentBlocked", "401-101.userMessage", "401-104.userMessage", "403-105.userMessage"]);
      });
    }

    it("fills placeholders from details, leaving an unknown one as written", () => {
      expect(formatMessage("'{attribute}' and {other}", [{ key: "attribute", value: "altId" }])).to.equal("'altId' and {other}");
      expect(errorMessages("de-DE", "403-178", [{ key: "action", value: "View Agent Console" }]).developerMessage).to.equal("Dem Aufrufer fehlt die Aktion „View Agent Console“.");
    });

    it("maps every bare language of a locale to one of that language's locales", () => {
      const languages = new Set(LOCALES.map((l) => l.split("-")[0]!));
      expect([...LANGUAGE_DEFAULTS.keys()]).to.have.members([...languages]);
      for (const [language, locale] of LANGUAGE_DEFAULTS) expect(locale.startsWith(`${language}-`)).to.equal(true);
    });
  });

  describe("over HTTP", () => {
    let stack: Stack;
    let token: string;
    before(async () => {
      stack = await startStack();
      await stack.importLines([department("d1"), client("app1"), activity("a1"), attachment("att1"), attachment("att-blocked", { blocked: true })]);
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

    const chosen: Array<[string | undefined, string]> = [
      [undefined, "en-US"],
      ["", "en-US"],
      ["en", "en-US"],
      ["en-GB", "en-US"],
      ["es", "es-ES"],
      ["es-MX", "es-ES"],
      ["fr", "fr-FR"],
      ["fr-BE", "fr-FR"],
      ["fr-CA", "fr-CA"],
      ["fr-ca", "fr-CA"],
      ["pt", "pt-BR"],
      ["pt-PT", "pt-PT"],
      ["zh", "zh-CN"],
      ["zh-Hans-CN", "zh-CN"],
      ["de-CH-x-private", "de-DE"],
      ["sv-FI", "sv-SE"],
      ["da, en;q=0.8", "da-DK"],
      ["de;q=0.5, ja;q=0.8", "ja-JP"],
      ["xx-YY, ko;q=0.1", "ko-KR"],
      ["it;q=0.5, nl;q=0.5", "it-IT"],
      ["fr-CA;q=0.9, fr-FR;q=0.9", "fr-CA"],
      ["fr-CH, de;q=0.9", "fr-FR"],
      ["ru;q=0, ru-RU;q=0.5, nl;q=0.4", "ru-RU"],
      ["fr-FR;q=0, fr, de;q=0.2", "de-DE"],
      ["*", "en-US"],
      ["tlh, *;q=0.1", "en-US"],
      ["*, ja;q=0.5", "ja-JP"],
      ["en;q=0, *", "es-ES"],
      ["*;q=0.5, en;q=0", "es-ES"],
      ["en-US;q=0, *", "es-ES"],
      ["en, *;q=0", "en-US"],
      ["en;q=0, es-ES;q=0, fr;q=0, *", "it-IT"],
      ["EN-us;q=0, es;q=0, *;q=0.3", "fr-FR"],
      ["en-GB;q=0, *", "en-US"],
      ["pt;q=0, pt-PT;q=0.5", "pt-PT"],
      ["sv;q=oops, da;q=0.3", "da-DK"],
      ["  pt-BR ; q=1.000 ", "pt-BR"],
    ];
    for (const [header, locale] of chosen) {
      it(`answers in ${locale} for Accept-Language: ${header === undefined ? "(absent)" : JSON.stringify(header)}`, async () => {
        expect(await languageOf(header)).to.equal(locale);
      });
    }

    for (const header of ["tlh", "xx-YY, x-klingon", "en;q=0", "*;q=0", "de;q=2", "fr-FR;q=0, fr"]) {
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
