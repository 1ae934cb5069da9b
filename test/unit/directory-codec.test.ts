/**
 * How directory records are stored (shared/domain/directory-codec.ts): whatever parseLine accepts
 * comes back as exactly the same record, the compact form is what activities and attachments take,
 * and records stored as JSON before it are read as they are.
 */
import { expect } from "chai";
import fc from "fast-check";
import { ATTACHMENT_APPS, ATTACHMENT_TYPES } from "../../shared/domain/attachment.js";
import { attachmentActivity, COMPACT_MARKER, CorruptRecordError, decodeRecord, encodeRecord } from "../../shared/domain/directory-codec.js";
import { parseLine, type DirectoryKind } from "../../shared/domain/directory.js";
import { activity, attachment, DESIGN_EXAMPLES } from "../support/factories.js";

const SEED = 4242;

/** The normalized record of a line, its kind and id. */
function normalized(line: Record<string, unknown>): { kind: DirectoryKind; id: string; record: object } {
  const entry = parseLine(JSON.stringify(line), 1);
  if (entry.deleted) throw new Error("a deletion has no record");
  return { kind: entry.kind, id: entry.id, record: entry.record };
}

/** Stores and reads back a line's record, and checks it is the same JSON text as today's JSON.stringify of it. */
function roundTrip(line: Record<string, unknown>): string {
  const { kind, id, record } = normalized(line);
  const stored = encodeRecord(kind, record);
  expect(JSON.stringify(decodeRecord(kind, id, stored))).to.equal(JSON.stringify(record));
  return stored;
}

// Text that looks like the form's own separators, escapes and defaults, and text in other scripts.
const tricky = fc.constantFrom("\u001e", "\u001f", "\u001d", "\t", "\n", "\u0000", "\u007f", "\u2028", ":", "/", "-", "é", "履歴書", "📎", "\u202e", "a", ".", " ", "{", '"', "\\", "null");
const text = (maxLength: number) => fc.oneof(fc.string({ unit: tricky, minLength: 1, maxLength }), fc.string({ unit: "grapheme", minLength: 1, maxLength }), fc.string({ minLength: 1, maxLength }));
const id = fc.oneof(fc.string({ unit: fc.constantFrom("a", "7", "-", ":", "/", "é", "📎", " ", "{"), minLength: 1, maxLength: 12 }), fc.uuid());
const objectKey = fc.array(text(8).filter((s) => s !== "." && s !== ".." && !s.includes("/")), { minLength: 1, maxLength: 3 }).map((segments) => segments.join("/"));
const nullableText = fc.oneof(fc.constant(null), fc.constant(""), fc.constant(undefined), text(12));
const created = fc.oneof(
  fc.date({ min: new Date("0001-01-01T00:00:00.000Z"), max: new Date("9999-12-31T23:59:59.999Z"), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom("2026-11-01T10:00:00Z", "2026-11-01T10:00+02:00", "2026-11-01T10:00:00.123456789-05:30", "9999-12-31T23:30:00-01:00", "0000-01-01T00:00:00+01:00", "1969-12-31T23:59:59.999Z"),
);
const size = fc.oneof(fc.constantFrom(0, 1, 35, 36, 17245, Number.MAX_SAFE_INTEGER), fc.maxSafeNat());

const attachmentLine = fc
  .record({
    altId: id,
    id,
    activity: id,
    app: fc.constantFrom(...ATTACHMENT_APPS),
    type: fc.constantFrom(...ATTACHMENT_TYPES),
    fileName: text(20),
    name: fc.option(text(20), { nil: undefined }),
    nameIsFileName: fc.boolean(),
    contentType: fc.option(fc.oneof(text(20), fc.constant("application/octet-stream")), { nil: undefined }),
    size,
    objectKey,
    keyShape: fc.constantFrom("own", "app/id/fileName", "prefix/fileName"),
    encodingType: nullableText,
    charset: nullableText,
    inline: fc.option(fc.boolean(), { nil: undefined }),
    contentId: nullableText,
    blocked: fc.option(fc.boolean(), { nil: undefined }),
    created,
  })
  .map(({ nameIsFileName, keyShape, ...line }) => {
    const shaped = { kind: "attachment", ...line, name: nameIsFileName ? line.fileName : line.name } as Record<string, unknown>;
    if (keyShape === "app/id/fileName") shaped.objectKey = `${line.app}/${line.id}/${line.fileName}`;
    if (keyShape === "prefix/fileName") shaped.objectKey = `${line.objectKey}/${line.fileName}`;
    return shaped;
  })
  // Lines parseLine refuses (a file name that makes an impossible object key) are no records.
  .filter((line) => {
    try {
      normalized(line);
      return true;
    } catch {
      return false;
    }
  });

describe("stored directory records", () => {
  it("gives back every attachment parseLine accepts exactly, compact unless a text holds a control character", () => {
    fc.assert(
      fc.property(attachmentLine, (line) => {
        const stored = roundTrip(line);
        const { record } = normalized(line);
        const controls = Object.values(record).some((value) => typeof value === "string" && /[\u0000-\u001f]/.test(value));
        expect(stored.startsWith(COMPACT_MARKER), stored).to.equal(!controls);
        // The import's plan file holds one stored record a line, fields split at tabs.
        expect(stored).not.to.match(/[\t\n\r]/);
        expect(attachmentActivity(stored)).to.equal((record as { activity: string }).activity);
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });

  it("gives back every activity exactly, always compact", () => {
    const activityLine = fc.record({ id, app: fc.constantFrom(...ATTACHMENT_APPS), department: id, customer: fc.option(id, { nil: null }) });
    fc.assert(
      fc.property(activityLine, (line) => {
        expect(roundTrip({ kind: "activity", ...line }).startsWith(COMPACT_MARKER)).to.equal(true);
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });

  it("stores DESIGN.md's attachment in 66 bytes instead of 370, and its activity in 6", () => {
    const design = JSON.parse(DESIGN_EXAMPLES.find((l) => l.includes('"attachment"'))!) as Record<string, unknown>;
    const stored = roundTrip(design);
    expect(stored).to.equal("\u001ea1\u001f01011\u001freport.pdf\u001f\u001fapplication/pdf\u001fdb1\u001f\u001fbase64\u001futf-8\u001f\u001f202611011");
    expect(Buffer.byteLength(stored)).to.equal(66);
    expect(JSON.stringify(normalized(design).record)).to.have.length(370);
    expect(roundTrip({ kind: "activity", id: "a1", app: "email", department: "d1", customer: "c1" })).to.equal("\u001e0d1\u001fc1");
  });

  it("stores departments, users, customers and clients as their JSON", () => {
    for (const text of DESIGN_EXAMPLES.filter((l) => !l.includes('"attachment"') && !l.includes('"activity"'))) {
      const { kind, record } = normalized(JSON.parse(text) as Record<string, unknown>);
      expect(encodeRecord(kind, record)).to.equal(JSON.stringify(record));
    }
  });

  it("reads records stored as JSON before the compact form, as they are", () => {
    for (const line of [attachment("att1", { inline: true, contentId: "cid-1" }), activity("a1", { customer: null })]) {
      const { kind, id, record } = normalized(line);
      expect(decodeRecord(kind, id, JSON.stringify(record))).to.deep.equal(record);
    }
    expect(attachmentActivity(JSON.stringify(normalized(attachment("att1", { activity: "a9" })).record))).to.equal("a9");
    expect(attachmentActivity("{not json")).to.equal(undefined);
  });

  it("keeps the empty string and null apart, and a file name with a control character in JSON", () => {
    const empty = roundTrip(attachment("att1", { encodingType: "", charset: null, contentId: "" }));
    expect(empty.startsWith(COMPACT_MARKER)).to.equal(true);
    expect(roundTrip(attachment("att1", { fileName: "a\u001fb.pdf" })).startsWith("{")).to.equal(true);
  });

  it("refuses a compact text it cannot read, naming the kind and not the text", () => {
    for (const [kind, body] of [
      ["attachment", "\u001ea1\u001f01011"],
      ["attachment", "\u001ea1\u001f~1011\u001fr\u001f\u001f\u001f1\u001f\u001f\u001f\u001f\u001f1"],
      ["attachment", "\u001ea1\u001f01011\u001fr\u001f\u001f\u001fSIZE\u001f\u001f\u001f\u001f\u001f1"],
      ["attachment", "\u001ea1\u001f01011\u001fr\u001f\u001f\u001f1\u001f\u001f\u001f\u001f\u001f2026-11-01"],
      ["activity", "\u001e9d1\u001fc1"],
      ["activity", "\u001e0d1"],
      ["client", "\u001eapp1"],
    ] as Array<[DirectoryKind, string]>) {
      expect(() => decodeRecord(kind, "x", body), body).to.throw(CorruptRecordError, `stored ${kind} record`);
    }
  });
});
