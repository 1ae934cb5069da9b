/**
 * End to end against a real S3 server: the returned URL downloads the stored bytes, forces a
 * download under the stored name, expires, and carries a SigV4 signature that an independent
 * implementation (aws4) recomputes. s3rver itself does not check signatures, hence the last part.
 */
import { randomBytes } from "node:crypto";
import { expect } from "chai";
import aws4 from "aws4";
import { putObject } from "../../dev/embedded-s3.js";
import { activity, attachment, client, department, predownloadBody } from "../support/factories.js";
import { startStack, TEST_BUCKET, type Stack } from "../support/stack.js";

const FILES = {
  plain: { fileName: "report.pdf", contentType: "application/pdf", bytes: randomBytes(4096) },
  unicode: { fileName: "Résumé – 履歴書 📎.pdf", contentType: "application/pdf", bytes: Buffer.from("%PDF-1.4 unicode\n") },
  hostile: { fileName: 'quote" semi; name="evil.html"; x=y.txt', contentType: "text/plain", bytes: Buffer.from("hostile name\n") },
  crlf: { fileName: "line\r\nSet-Cookie: stolen=1.txt", contentType: "text/plain", bytes: Buffer.from("crlf\n") },
  html: { fileName: "page.html", contentType: "text/html", bytes: Buffer.from("<script>alert(1)</script>") },
  spacedKey: { fileName: "notes.txt", contentType: "text/plain; charset=utf-8", bytes: Buffer.from("key with spaces and + signs\n"), objectKey: "email/10 11/a+b ü/notes.txt" },
} as const;

type FileName = keyof typeof FILES;

interface Issued {
  contentUrl: string;
  signedUrlExpiry: string;
}

describe("signed URLs against a real S3 server", () => {
  let stack: Stack;

  before(async () => {
    stack = await startStack();
    const lines = [department("d1"), client("app1"), activity("a1")];
    for (const [altId, file] of Object.entries(FILES)) {
      const objectKey = "objectKey" in file ? file.objectKey : `email/${altId}/${file.fileName}`;
      await putObject(stack.s3.client, TEST_BUCKET, objectKey, file.bytes, "application/octet-stream");
      lines.push(attachment(altId, { fileName: file.fileName, contentType: file.contentType, size: file.bytes.length, objectKey }));
    }
    await stack.importLines(lines);
  });
  after(async () => stack?.close());

  async function issue(altId: FileName, extra: Record<string, unknown> = {}): Promise<Issued> {
    const res = await stack.post(predownloadBody({ altId, ...extra }), { token: stack.token("client", "app1") });
    const body = (await res.json()) as Issued;
    expect(res.status, JSON.stringify(body)).to.equal(200);
    return body;
  }

  it("downloads exactly the stored bytes", async () => {
    const { contentUrl } = await issue("plain");
    const res = await fetch(contentUrl);
    expect(res.status).to.equal(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(FILES.plain.bytes)).to.equal(true);
    expect(res.headers.get("content-type")).to.equal("application/pdf");
  });

  it("downloads an object whose key holds spaces, plus signs and non-ASCII", async () => {
    const { contentUrl } = await issue("spacedKey");
    const res = await fetch(contentUrl);
    expect(res.status).to.equal(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(FILES.spacedKey.bytes)).to.equal(true);
    expect(res.headers.get("content-type")).to.equal("text/plain; charset=utf-8");
  });

  it("forces a download under a non-ASCII stored name (RFC 6266 / 5987)", async () => {
    const res = await fetch((await issue("unicode")).contentUrl);
    const disposition = res.headers.get("content-disposition")!;
    expect(disposition).to.match(/^attachment; /);
    expect(disposition).to.match(/^[\x20-\x7e]*$/);
    expect(filenameStar(disposition)).to.equal(FILES.unicode.fileName);
    expect(quotedFilename(disposition)).to.equal("R_sum_ _ ___ _.pdf");
  });

  it("keeps quotes and semicolons in a name from breaking out of the header", async () => {
    const res = await fetch((await issue("hostile")).contentUrl);
    const disposition = res.headers.get("content-disposition")!;
    expect(disposition.startsWith("attachment; filename=\"")).to.equal(true);
    expect(parameters(disposition)).to.have.members(["filename", "filename*"]);
    expect(filenameStar(disposition)).to.equal(FILES.hostile.fileName);
    expect(quotedFilename(disposition)).not.to.include('"');
  });

  it("strips CR and LF from a stored name so no header can be injected", async () => {
    const res = await fetch((await issue("crlf")).contentUrl);
    expect(res.headers.get("set-cookie")).to.equal(null);
    expect(filenameStar(res.headers.get("content-disposition")!)).to.equal("lineSet-Cookie: stolen=1.txt");
  });

  it("makes an HTML attachment download rather than render", async () => {
    const res = await fetch((await issue("html")).contentUrl);
    expect(res.headers.get("content-disposition")).to.match(/^attachment;/);
  });

  it("carries a SigV4 signature that an independent implementation recomputes", async () => {
    const { contentUrl } = await issue("unicode");
    const credentials = { accessKeyId: stack.config.s3.accessKeyId, secretAccessKey: stack.config.s3.secretAccessKey };
    expect(recomputeSignature(contentUrl, credentials)).to.equal(new URL(contentUrl).searchParams.get("X-Amz-Signature"));
    const hostile = await issue("hostile");
    expect(recomputeSignature(hostile.contentUrl, credentials)).to.equal(new URL(hostile.contentUrl).searchParams.get("X-Amz-Signature"));
    const spaced = await issue("spacedKey");
    expect(recomputeSignature(spaced.contentUrl, credentials)).to.equal(new URL(spaced.contentUrl).searchParams.get("X-Amz-Signature"));
  });

  it("has a signature that changes when anything signed is tampered with", async () => {
    const { contentUrl } = await issue("plain");
    const credentials = { accessKeyId: stack.config.s3.accessKeyId, secretAccessKey: stack.config.s3.secretAccessKey };
    const signature = new URL(contentUrl).searchParams.get("X-Amz-Signature");
    const tampered = new URL(contentUrl);
    tampered.searchParams.set("response-content-type", "text/html");
    expect(recomputeSignature(tampered.toString(), credentials)).not.to.equal(signature);
    expect(recomputeSignature(contentUrl, { ...credentials, secretAccessKey: "another-secret" })).not.to.equal(signature);
  });

  it("lives for the configured TTL by default", async () => {
    const before = Date.now();
    const { contentUrl, signedUrlExpiry } = await issue("plain");
    const url = new URL(contentUrl);
    expect(url.searchParams.get("X-Amz-Expires")).to.equal(String(stack.config.signedUrlTtlSeconds));
    const expiry = Date.parse(signedUrlExpiry);
    expect(expiry).to.be.within(before + stack.config.signedUrlTtlSeconds * 1000 - 1000, Date.now() + stack.config.signedUrlTtlSeconds * 1000);
    expect(signedUrlExpiry).to.equal(new Date(expiry).toISOString());
  });

  it("clamps a later requested expiry to the configured TTL", async () => {
    const { contentUrl } = await issue("plain", { signedUrlExpiry: new Date(Date.now() + 86_400_000).toISOString() });
    expect(new URL(contentUrl).searchParams.get("X-Amz-Expires")).to.equal(String(stack.config.signedUrlTtlSeconds));
  });

  it("honours an earlier requested expiry, and the URL stops working after it", async function () {
    this.timeout(30_000);
    // Soon, but late enough that the URL is surely fetched before it on a loaded machine.
    const requested = new Date(Date.now() + 6000);
    const { contentUrl, signedUrlExpiry } = await issue("plain", { signedUrlExpiry: requested.toISOString() });
    expect(Date.parse(signedUrlExpiry)).to.be.at.most(requested.getTime());
    expect((await fetch(contentUrl)).status).to.equal(200);
    await new Promise((r) => setTimeout(r, Date.parse(signedUrlExpiry) - Date.now() + 1200));
    const expired = await fetch(contentUrl);
    expect(expired.status).to.equal(403);
  });
});

/** Recomputes the URL's SigV4 query signature with aws4, from everything in it but the signature. */
function recomputeSignature(contentUrl: string, credentials: { accessKeyId: string; secretAccessKey: string }): string | null {
  const url = new URL(contentUrl);
  const query = new URLSearchParams(url.search);
  query.delete("X-Amz-Signature");
  const signed = aws4.sign(
    { host: url.host, path: `${url.pathname}?${query.toString().replace(/\+/g, "%20")}`, service: "s3", region: "us-east-1", method: "GET", signQuery: true },
    credentials,
  );
  return new URL(`http://x${signed.path}`).searchParams.get("X-Amz-Signature");
}

function filenameStar(disposition: string): string {
  const match = /filename\*=UTF-8''([^;\s]+)/.exec(disposition);
  return decodeURIComponent(match![1]!);
}

function quotedFilename(disposition: string): string {
  return /filename="([^"]*)"/.exec(disposition)![1]!;
}

/** Parameter names as a strict RFC 6266 parser sees them. */
function parameters(disposition: string): string[] {
  const names: string[] = [];
  const re = /;\s*([^=;\s]+)=("(?:[^"\\]|\\.)*"|[^;]*)/g;
  for (let m = re.exec(disposition); m !== null; m = re.exec(disposition)) names.push(m[1]!);
  return names;
}
