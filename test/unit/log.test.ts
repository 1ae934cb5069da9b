/** The logger redacts tokens, signatures and signed URLs itself, whatever field, depth or message holds them. */
import { expect } from "chai";
import jwt from "jsonwebtoken";
import { createLogger, scrub } from "../../shared/runtime/log.js";
import { Capture } from "../support/log-capture.js";
import { inFiveMinutes, secretParts, SPACED_HEADER, TEST_SECRET, tokenWithHeader } from "../support/secrets.js";

const SIGNED_URL = "https://bucket.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLE%2F20261128%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Security-Token=FQoGZXIvYXdzEXAMPLE&X-Amz-Signature=0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";
const SIGNATURE = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";

describe("the logger", () => {
  const token = jwt.sign({ actor: "client", sub: "app1" }, TEST_SECRET, { algorithm: "HS256", expiresIn: 60 });

  it("writes neither tokens nor signatures, whatever field, depth or message holds them", () => {
    const capture = new Capture();
    const log = createLogger("test", "trace", capture);
    log.info({ authorization: `Bearer ${token}`, headers: { authorization: `Bearer ${token}` }, req: { headers: { authorization: `Bearer ${token}` } } }, "headers");
    log.info({ token, result: { contentUrl: SIGNED_URL }, contentUrl: SIGNED_URL, url: SIGNED_URL }, "known fields");
    log.info({ deep: { a: { b: { c: { location: SIGNED_URL, auth: token, note: `Bearer ${token}` } } } } }, "any field at any depth");
    log.error({ err: new Error(`GET ${SIGNED_URL} failed; sent Authorization: Bearer ${token}`) }, "an error");
    log.warn(`free text with ${token} and ${SIGNED_URL}`);
    log.debug({ list: [SIGNED_URL, token] }, "arrays");

    const lines = capture.text.trim().split("\n");
    expect(lines).to.have.length(6);
    for (const line of lines) expect(() => JSON.parse(line) as unknown, line).not.to.throw();
    for (const secret of [...secretParts(token), SIGNATURE, SIGNED_URL, "FQoGZXIvYXdzEXAMPLE"]) expect(capture.text).not.to.include(secret);
    expect(capture.text).to.include("[redacted]");
    // What is not secret survives, so the logs stay useful.
    expect(capture.text).to.include("bucket.s3.amazonaws.com/k");
    expect(capture.text).to.include("an error");
  });

  it("redacts a JWT whatever its header's JSON looks like, and keeps ordinary User-Agents whole", () => {
    const claims = { actor: "client", sub: "app1", exp: inFiveMinutes() };
    const tokens = [
      tokenWithHeader(SPACED_HEADER, claims),
      tokenWithHeader(' {"alg":"HS256"}', claims),
      tokenWithHeader('{\n  "alg": "HS256"\n}', claims),
      `${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.`,
      token,
    ];
    expect(tokens[0]).to.match(/^eyAi/);
    for (const t of tokens) {
      for (const text of [`agent/1.0 ${t}`, `x=${t};`, `some-long-dotted-prefix.${t}`, JSON.stringify({ note: `line\n${t}` })]) {
        const scrubbed = scrub(text);
        for (const secret of [t, ...secretParts(t)]) expect(scrubbed, text).not.to.include(secret);
        expect(scrubbed).to.include("[redacted]");
      }
    }
    const ordinary = [
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1.2 Mobile/15E148 Safari/604.1",
      "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
      "Dalvik/2.1.0 (Linux; U; Android 14; SM-S918B Build/UP1A.231005.007)",
      "okhttp/4.12.0",
      "curl/8.5.0",
      "console/3.2.1 (build 2026.11.28.1742; com.example.support-console.desktop)",
      "order-service-production.eu-west-1.a1b2c3d4e5f6a7b8c9d0",
      "see example-domain-name.co. or exportedfunctionname.js.map",
    ];
    for (const ua of ordinary) expect(scrub(ua)).to.equal(ua);
  });
});
