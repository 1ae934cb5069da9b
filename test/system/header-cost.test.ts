/**
 * Work done on `Accept` and `Accept-Language` is bounded whatever their size: only their first 32
 * entries are judged, in time linear in the header, so a header at Node's size limit costs a
 * request no more than an ordinary one and holds up nobody else.
 */
import { expect } from "chai";
import { chooseMediaType } from "../../api/middleware/negotiate.js";
import { lookupLocale, MAX_HEADER_ENTRIES } from "../../api/errors/messages/lookup.js";
import { activity, attachment, client, department } from "../support/factories.js";
import { startStack, type Stack } from "../support/stack.js";
import { filled, largestHeaderValue, timedRequest } from "../support/timed-request.js";

const BODY = JSON.stringify({ app: "email", type: "attachment.inbound", altId: "att1" });
/**
 * What a request with a hostile header may take at most, on a loaded machine. Matching that grew with
 * the square of the header took about 7 s at this size; an ordinary request takes milliseconds.
 */
const HOSTILE_BUDGET_MS = 1500;

describe("header cost", () => {
  describe("entries judged", () => {
    const ignored = Array.from({ length: MAX_HEADER_ENTRIES }, (_, i) => `x${i}`);

    it("judges Accept-Language on its first 32 entries only", () => {
      expect(lookupLocale([...ignored.slice(1), "fr-CA"].join(", "))).to.equal("fr-CA");
      expect(lookupLocale([...ignored, "fr-CA"].join(", "))).to.equal(undefined);
      // A refusal past the 32nd entry refuses nothing.
      expect(lookupLocale(["fr", ...ignored, "fr-FR;q=0"].join(","))).to.equal("fr-FR");
      // Empty entries are no entries.
      expect(lookupLocale(`${",".repeat(100)} ,  , ${ignored.slice(1).join(",")}, de`)).to.equal("de-DE");
    });

    it("judges Accept on its first 32 entries only", () => {
      const ranges = ignored.map((x) => `text/${x}`);
      expect(chooseMediaType([...ranges.slice(1), "application/xml"].join(", "))).to.equal("application/xml");
      expect(chooseMediaType([...ranges, "application/xml"].join(", "))).to.equal(undefined);
    });
  });

  describe("against the running service", () => {
    let stack: Stack;
    let token: string;
    before(async () => {
      stack = await startStack();
      await stack.importLines([department("d1"), client("app1"), activity("a1"), attachment("att1")]);
      token = stack.token("client", "app1");
    });
    after(async () => stack?.close());

    // Each value repeats what used to make matching compare every entry with every other one, or
    // cut a range one subtag at a time.
    const HOSTILE: ReadonlyArray<readonly [string, (length: number) => string]> = [
      ["Accept-Language", (length) => filled("en,", length, "en;q=0,")],
      ["Accept-Language", (length) => filled("-a", length, "xx")],
      ["Accept-Language", (length) => filled("en-US;q=0.5,", length)],
      ["Accept", (length) => filled("application/json;q=0,", length)],
      ["Accept", (length) => filled("*/*;q=0.1,text/html,", length, "application/xml;q=0,")],
    ];

    it(`answers hostile Accept and Accept-Language values at Node's header limit within ${HOSTILE_BUDGET_MS} ms each, and a concurrent request unharmed`, async function () {
      this.timeout(60_000);
      const headers = { Authorization: `Bearer ${token}` };
      for (const [name, value] of HOSTILE) {
        const length = await largestHeaderValue(stack.api.url, name, { headers, body: BODY });
        expect(length, "Node accepts a value of nearly 16 KiB").to.be.above(15_000);
        const hostile = value(length);
        const what = `${name}: ${hostile.slice(0, 24)}… (${hostile.length} characters)`;
        // The ordinary request starts while the hostile one is being judged.
        const [bad, good] = await Promise.all([
          timedRequest(stack.api.url, { headers: { ...headers, [name]: hostile }, body: BODY }),
          new Promise((resolve) => setTimeout(resolve, 1)).then(() => timedRequest(stack.api.url, { headers, body: BODY })),
        ]);
        expect(bad.status, `${what}: ${bad.text}`).to.be.within(200, 499).and.not.equal(431);
        expect(bad.ms, what).to.be.below(HOSTILE_BUDGET_MS);
        expect(good.status, `beside ${what}: ${good.text}`).to.equal(200);
        expect(good.ms, `the ordinary request beside ${what}`).to.be.below(HOSTILE_BUDGET_MS);
      }
    });
  });
});
