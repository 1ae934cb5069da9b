/** How the benchmark sums up its rounds and its CPU profiles: medians with their range, self time by module and function. */
import { expect } from "chai";
import { moduleOf, selfTime } from "../../bench/profile-summary.js";
import { median, spread } from "../../bench/stats.js";

describe("the benchmark's analysis", () => {
  it("takes the median of an odd and an even count, and keeps the range it came from", () => {
    expect(median([3, 1, 2])).to.equal(2);
    expect(median([4, 1, 3, 2])).to.equal(2.5);
    expect(Number.isNaN(median([]))).to.equal(true);
    expect(spread([0.9, 0.4, 1.2, 0.8, 0.85])).to.deep.equal({ median: 0.85, min: 0.4, max: 1.2 });
  });

  it("names a frame's module: a package (scoped too), a file of the service compiled or not, Node itself, or V8's own entry", () => {
    expect(moduleOf("file:///work/app/node_modules/bullmq/dist/esm/classes/worker.js", "moveToActive")).to.equal("bullmq");
    expect(moduleOf("file:///work/app/node_modules/@smithy/signature-v4/dist-cjs/index.js", "presign")).to.equal("@smithy/signature-v4");
    expect(moduleOf("file:///work/app/dist/worker/sign.js", "signJob")).to.equal("worker/sign.js");
    expect(moduleOf("file:///work/app/api/reply-waits.ts", "onMessage")).to.equal("api/reply-waits.ts");
    expect(moduleOf("node:net", "Socket._write")).to.equal("node (internals)");
    expect(moduleOf("", "(garbage collector)")).to.equal("(garbage collector)");
    expect(moduleOf("", "writeUtf8String")).to.equal("(native)");
  });

  it("sums each sample's time into the function and module it was taken in, not their callers", () => {
    const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 9 });
    const profile = {
      nodes: [
        { id: 1, callFrame: frame("(root)", "") },
        { id: 2, callFrame: frame("signJob", "file:///app/dist/worker/sign.js") },
        { id: 3, callFrame: frame("presign", "file:///app/node_modules/@smithy/signature-v4/index.js") },
        { id: 4, callFrame: frame("(idle)", "") },
      ],
      samples: [2, 3, 3, 4, 2],
      timeDeltas: [100, 50, 50, 1000, 100],
    };
    const { totalUs, byModule, byFunction } = selfTime(profile);
    expect(totalUs).to.equal(1300);
    expect(Object.fromEntries(byModule)).to.deep.equal({ "worker/sign.js": 200, "@smithy/signature-v4": 100, "(idle)": 1000 });
    expect(byFunction.get("signJob worker/sign.js:10")).to.equal(200);
  });
});
