/** `npm run token`: the minted token carries the contract's claims and the API accepts it. */
import { expect } from "chai";
import jwt, { type JwtPayload } from "jsonwebtoken";
import { createTokenVerifier, loadVerificationKeys, type VerifyToken } from "../../api/tokens.js";
import { loadConfig } from "../../shared/runtime/config.js";
import { runScript, type CliResult } from "../support/cli.js";

const SECRET = "token-cli-test-secret-of-at-least-32-bytes";
const ISSUER = "https://idp.example";
const AUDIENCE = "predownload";

/** Runs `tsx cli/token.ts ARGS` with only PATH and `env` in its environment. */
function runTokenCli(args: readonly string[], env: Record<string, string>): Promise<CliResult> {
  return runScript("cli/token.ts", args, env);
}

/** Mints a token and checks that stdout holds nothing else. */
async function mint(args: readonly string[], env: Record<string, string>): Promise<string> {
  const { code, stdout, stderr } = await runTokenCli(args, env);
  expect(code, stderr).to.equal(0);
  expect(stdout).to.match(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
  return stdout.trim();
}

/** The API's own verifier, built from the same environment the CLI saw. */
function apiVerifier(env: Record<string, string>): VerifyToken {
  const { jwt: config } = loadConfig(env, { jwt: true });
  return createTokenVerifier(config, loadVerificationKeys(config));
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

describe("npm run token", function () {
  this.timeout(15_000);

  it("prints only an HS256 token with actor, sub, iat and exp an hour ahead, which the API accepts", async () => {
    const env = { JWT_SECRET: SECRET };
    const before = nowSeconds();
    const token = await mint(["--actor", "user", "--sub", "u1"], env);
    const after = nowSeconds();

    expect(jwt.decode(token, { complete: true })?.header).to.include({ alg: "HS256" });
    const claims = jwt.verify(token, SECRET, { algorithms: ["HS256"] }) as JwtPayload;
    expect(claims).to.include({ actor: "user", sub: "u1" });
    expect(claims).not.to.have.any.keys("iss", "aud");
    expect(claims.iat).to.be.within(before, after);
    expect(claims.exp).to.equal(claims.iat! + 3600);
    expect(apiVerifier(env)(token)).to.deep.equal({ type: "user", id: "u1" });
  });

  it("adds iss and aud when configured and honours --ttl, and the API enforcing both accepts the token", async () => {
    const env = { JWT_SECRET: SECRET, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE };
    const token = await mint(["--actor", "client", "--sub", "app1", "--ttl", "120"], env);

    const claims = jwt.verify(token, SECRET, { algorithms: ["HS256"], issuer: ISSUER, audience: AUDIENCE }) as JwtPayload;
    expect(claims).to.include({ actor: "client", sub: "app1", iss: ISSUER, aud: AUDIENCE });
    expect(claims.exp).to.equal(claims.iat! + 120);
    expect(claims.exp).to.be.closeTo(nowSeconds() + 120, 5);
    expect(apiVerifier(env)(token)).to.deep.equal({ type: "client", id: "app1" });
  });

  const refusals: ReadonlyArray<readonly [string, readonly string[], Record<string, string>, string]> = [
    ["an actor kind outside user, customer, client", ["--actor", "admin", "--sub", "u1"], {}, '--actor must be one of user, customer, client; got "admin"'],
    ["a missing --sub", ["--actor", "customer"], {}, "--sub is required"],
    ["a ttl beyond 30 days", ["--actor", "user", "--sub", "u1", "--ttl", "2592001"], {}, "--ttl must be a whole number of seconds from 1 to 2592000"],
    ["an unknown flag", ["--actor", "user", "--sub", "u1", "--kid", "k1"], {}, "Unknown option '--kid'"],
    ["a missing JWT_SECRET, even with JWT_PUBLIC_KEY_FILE set", ["--actor", "user", "--sub", "u1"], { JWT_SECRET: "", JWT_PUBLIC_KEY_FILE: "/keys/public.pem" }, "JWT_SECRET: not set"],
  ];
  for (const [what, args, env, message] of refusals) {
    it(`exits 2 with a message and no token for ${what}`, async () => {
      const { code, stdout, stderr } = await runTokenCli(args, { JWT_SECRET: SECRET, ...env });
      expect(code).to.equal(2);
      expect(stdout).to.equal("");
      expect(stderr).to.include(message);
    });
  }
});
