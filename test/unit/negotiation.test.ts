/**
 * Content negotiation as lookup tables: which media type an `Accept` value chooses and which
 * locale an `Accept-Language` value chooses, undefined being the 406 the API answers with.
 */
import { expect } from "chai";
import { chooseMediaType, type MediaType } from "../../api/middleware/negotiate.js";
import { lookupLocale } from "../../api/errors/messages/lookup.js";

/** How a header the caller left out reaches the functions: Koa's `ctx.get` gives "". */
const header = (value: string | undefined): string => value ?? "";
const shown = (value: string | undefined): string => (value === undefined ? "(absent)" : JSON.stringify(value));

describe("Accept negotiation", () => {
  const chosen: Array<[string | undefined, MediaType]> = [
    [undefined, "application/json"],
    ["", "application/json"],
    ["*/*", "application/json"],
    ["application/*", "application/json"],
    ["application/json", "application/json"],
    ["application/json; charset=utf-8", "application/json"],
    ["application/xml", "application/xml"],
    ["APPLICATION/XML", "application/xml"],
    ["application/xml;q=0.5, application/json;q=0.9", "application/json"],
    ["application/json;q=0.1, application/xml", "application/xml"],
    ["application/json, application/xml", "application/json"],
    ["application/xml, application/json", "application/xml"],
    ["*/*;q=0.1, application/xml", "application/xml"],
    ["*/*, application/json;q=0", "application/xml"],
    ["text/html, application/*;q=0.2", "application/json"],
    ["text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "application/xml"],
    ["application/json;q=abc, application/xml;q=0.3", "application/xml"],
  ];
  for (const [accept, type] of chosen) {
    it(`chooses ${type} for Accept: ${shown(accept)}`, () => {
      expect(chooseMediaType(header(accept))).to.equal(type);
    });
  }

  for (const accept of ["text/html", "text/xml", "application/json;q=0", "application/json;q=0, application/xml;q=0", "image/*", "garbage"]) {
    it(`chooses nothing (406-101) for Accept: ${JSON.stringify(accept)}`, () => {
      expect(chooseMediaType(accept)).to.equal(undefined);
    });
  }

  describe("for a resource that exists in JSON only (the OpenAPI document)", () => {
    const jsonOnly: readonly MediaType[] = ["application/json"];
    for (const accept of ["application/json", "*/*", "application/*", "application/xml, application/json;q=0.1"]) {
      it(`chooses JSON for Accept: ${accept}`, () => {
        expect(chooseMediaType(accept, jsonOnly)).to.equal("application/json");
      });
    }
    for (const accept of ["application/xml", "text/html", "*/*, application/json;q=0", "application/xml, text/*;q=0.5"]) {
      it(`chooses nothing (406-101) for Accept: ${accept}`, () => {
        expect(chooseMediaType(accept, jsonOnly)).to.equal(undefined);
      });
    }
  });
});

describe("Accept-Language negotiation", () => {
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
    ["sv", "sv-SE"],
    ["ja", "ja-JP"],
    ["ko-KR", "ko-KR"],
  ];
  for (const [acceptLanguage, locale] of chosen) {
    it(`chooses ${locale} for Accept-Language: ${shown(acceptLanguage)}`, () => {
      expect(lookupLocale(header(acceptLanguage))).to.equal(locale);
    });
  }

  for (const acceptLanguage of ["tlh", "xx-YY, x-klingon", "en;q=0", "*;q=0", "de;q=2", "fr-FR;q=0, fr", "tlh, x-klingon;q=0.5"]) {
    it(`chooses nothing (406-100) for Accept-Language: ${JSON.stringify(acceptLanguage)}`, () => {
      expect(lookupLocale(acceptLanguage)).to.equal(undefined);
    });
  }
});
