/** `npm start` shows the processes' log lines readable on a terminal and as JSON anywhere else. */
import { expect } from "chai";
import { logFormat, prettyLines } from "../../dev/log-output.js";
import { createLogger } from "../../shared/runtime/log.js";
import { Capture } from "../support/log-capture.js";

/** The lines a service logger writes for `write(log)`, as `npm start` receives them from a child. */
function serviceLines(write: (log: ReturnType<typeof createLogger>) => void): string[] {
  const capture = new Capture();
  write(createLogger("api", "info", capture));
  return capture.text.trim().split("\n");
}

describe("npm start's log output", () => {
  it("is readable on a terminal and JSON when stdout is a file, a pipe or nothing known", () => {
    expect(logFormat(true)).to.equal("pretty");
    expect(logFormat(false)).to.equal("json");
    expect(logFormat(undefined)).to.equal("json");
  });

  it("turns a request's JSON line into one line with time, level, process, message and fields", () => {
    const [line] = serviceLines((log) => log.info({ requestId: "r1", status: 200, outcome: "issued", durationMs: 1.9 }, "request"));
    const shown = prettyLines({ colorize: false })(line!);
    expect(shown).to.match(/^\[\d{2}:\d{2}:\d{2}\.\d{3}\] INFO \(api\): request \{.*\}\n$/);
    expect(shown.trimEnd()).to.not.include("\n");
    expect(shown).to.include('"requestId":"r1"').and.include('"status":200').and.include('"outcome":"issued"');
    expect(shown).to.not.include('"pid"').and.not.include('"hostname"');
  });

  it("shows each level by its name", () => {
    const lines = serviceLines((log) => {
      log.warn("a warning");
      log.error({ err: new Error("boom") }, "an error");
    });
    const format = prettyLines({ colorize: false });
    expect(format(lines[0]!)).to.match(/ WARN \(api\): a warning/);
    expect(format(lines[1]!)).to.match(/ ERROR \(api\): an error/).and.include("boom");
  });

  it("never writes a control character raw to the terminal, from a message or a field", () => {
    const [line] = serviceLines((log) => log.info({ userAgent: "x\u001b]0;pwned\u0007" }, "clear \u001b[2J screen\u009b"));
    const shown = prettyLines({ colorize: false })(line!);
    expect(shown.slice(0, -1)).to.not.match(/[\u0000-\u001f\u007f-\u009f]/);
    expect(shown).to.include("\\u001b[2J").and.include("pwned");
  });

  it("keeps a line that is not a JSON object as it is, its control characters escaped", () => {
    const format = prettyLines({ colorize: false });
    expect(format("(node:1) Warning: something")).to.equal("(node:1) Warning: something\n");
    expect(format("[1,2]")).to.equal("[1,2]\n");
    expect(format("bell\u0007")).to.equal("bell\\u0007\n");
  });
});
