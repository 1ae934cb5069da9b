/** The message catalog: complete, consistent and translated in every locale. */
import { expect } from "chai";
import { ERROR_CODES, ERROR_TABLE } from "../../api/errors/catalog.js";
import { errorMessages, formatMessage, MESSAGES, placeholders } from "../../api/errors/messages/catalog.js";
import { LANGUAGE_DEFAULTS, LOCALES } from "../../api/errors/messages/locales.js";
import type { Messages } from "../../api/errors/messages/messages.js";

/** Every message of a locale, by a name such as `400-104.developerMessage`. */
function flatten(messages: Messages): Map<string, string> {
  const flat = new Map<string, string>([["attachmentBlocked", messages.attachmentBlocked]]);
  for (const [code, entry] of Object.entries(messages.errors)) {
    flat.set(`${code}.developerMessage`, entry.developerMessage);
    flat.set(`${code}.userMessage`, entry.userMessage);
  }
  return flat;
}

describe("the error catalog", () => {
  it("gives every code, once and in catalog order, the status it starts with and a one-line meaning", () => {
    expect(ERROR_TABLE.map((row) => row.code)).to.deep.equal([...ERROR_CODES]);
    for (const { code, status, meaning } of ERROR_TABLE) {
      expect(String(status), code).to.equal(code.slice(0, 3));
      expect(meaning.trim(), code).to.not.equal("");
      expect(meaning, code).to.not.match(/[\n|]/);
    }
  });
});

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
