import { expect } from "chai";
import { startStack, type Stack } from "./support/stack.js";
import { activity, attachment, client, department } from "./support/factories.js";

describe("smoke", () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
    await stack.importLines([department("d1"), client("app1"), activity("a1"), attachment("x1")]);
  });
  after(async () => stack?.close());
  it("issues", async () => {
    const res = await stack.post({ app: "email", type: "attachment.inbound", altId: "x1" }, { token: stack.token("client", "app1") });
    const body = (await res.json()) as { contentUrl?: string };
    expect(res.status).to.equal(200);
    expect(body.contentUrl).to.be.a("string");
  });
});
