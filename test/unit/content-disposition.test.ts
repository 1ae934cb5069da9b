/**
 * The download's headers for any stored name and type: a Content-Disposition that cannot break out
 * of its header or choose a directory, and a Content-Type that never lets a browser render markup.
 */
import { expect } from "chai";
import fc from "fast-check";
import { contentDisposition, downloadContentType, downloadName, DOWNLOAD_CONTENT_TYPE, MAX_DOWNLOAD_NAME_LENGTH } from "../../worker/content-disposition.js";

const SEED = 7070;

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
    // Off the allow list, however harmless the name sounds.
    ["text/javascript1.5", DOWNLOAD_CONTENT_TYPE],
    ["text/livescript", DOWNLOAD_CONTENT_TYPE],
    ["message/rfc822", DOWNLOAD_CONTENT_TYPE],
    ["text/vtt", DOWNLOAD_CONTENT_TYPE],
    ["text/markdown", DOWNLOAD_CONTENT_TYPE],
    ["application/x-msdownload", DOWNLOAD_CONTENT_TYPE],
    ["application/json", DOWNLOAD_CONTENT_TYPE],
    ["application/octet-stream", DOWNLOAD_CONTENT_TYPE],
    ["image/x-unknown", DOWNLOAD_CONTENT_TYPE],
    // On it: lowercased, parameters dropped except a text type's charset.
    ["IMAGE/JPEG", "image/jpeg"],
    ["image/png; name=a.html", "image/png"],
    ["Application/PDF; version=1.7", "application/pdf"],
    ["audio/mpeg", "audio/mpeg"],
    ["video/mp4", "video/mp4"],
    ["application/zip", "application/zip"],
    ["application/vnd.ms-excel", "application/vnd.ms-excel"],
    ["  text/plain  ", "text/plain"],
    ["text/plain; format=flowed; charset=UTF-8", "text/plain; charset=utf-8"],
    ['text/plain; charset="ISO-8859-1"', "text/plain; charset=iso-8859-1"],
    ["text/csv;charset=utf-8", "text/csv; charset=utf-8"],
    ["text/plain; charset=utf-7", "text/plain"],
  ];
  for (const [stored, served] of cases) {
    it(`serves ${JSON.stringify(stored)} as ${served}`, () => {
      expect(downloadContentType(stored)).to.equal(served);
    });
  }
});
