/**
 * `npm run token -- --actor KIND --sub ID [--ttl SECONDS]`: mints an HS256 bearer token with
 * JWT_SECRET, for development. Prints only the token, so `TOKEN=$(npm run -s token -- …)` works.
 *
 * Exit codes: 0 printed, 2 usage or configuration error.
 */
import { parseArgs } from "node:util";
import jwt from "jsonwebtoken";
import { ACTOR_TYPES, type ActorType } from "../shared/domain/attachment.js";
import { ConfigError, loadConfig, type JwtConfig } from "../shared/runtime/config.js";
import { usageExit, UsageError } from "./usage.js";
import { CONTROL_CHARACTER, MAX_ID_LENGTH } from "../shared/domain/directory.js";

const DEFAULT_TTL_SECONDS = 3600;
const MAX_TTL_SECONDS = 30 * 24 * 3600;

const USAGE = `usage: npm run -s token -- --actor KIND --sub ID [--ttl SECONDS]
  --actor  ${ACTOR_TYPES.join(" | ")}
  --sub    the actor's id in the directory (1 to ${MAX_ID_LENGTH} characters)
  --ttl    lifetime in seconds, 1 to ${MAX_TTL_SECONDS} (30 days); default ${DEFAULT_TTL_SECONDS}
environment: JWT_SECRET (required, the API's HS256 secret), JWT_ISSUER, JWT_AUDIENCE`;

/** What the token will say. */
interface TokenRequest {
  readonly actor: ActorType;
  readonly sub: string;
  readonly ttlSeconds: number;
}

function parseOrExplain(args: string[]) {
  try {
    return parseArgs({
      args,
      options: {
        actor: { type: "string" },
        sub: { type: "string" },
        ttl: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Validates the flags; returns undefined when help was asked for. */
function parseRequest(args: string[]): TokenRequest | undefined {
  const { values } = parseOrExplain(args);
  if (values.help === true) return undefined;

  const { actor, sub, ttl } = values;
  if (actor === undefined) throw new UsageError(`--actor is required: one of ${ACTOR_TYPES.join(", ")}`);
  if (!(ACTOR_TYPES as readonly string[]).includes(actor)) {
    throw new UsageError(`--actor must be one of ${ACTOR_TYPES.join(", ")}; got "${actor}"`);
  }
  if (sub === undefined || sub === "") throw new UsageError("--sub is required: the actor's id as it appears in the directory");
  if (sub.length > MAX_ID_LENGTH) throw new UsageError(`--sub is longer than ${MAX_ID_LENGTH} characters`);
  if (CONTROL_CHARACTER.test(sub)) throw new UsageError("--sub contains a control character; directory ids never do");

  const ttlSeconds = ttl === undefined ? DEFAULT_TTL_SECONDS : /^\d+$/.test(ttl) ? Number(ttl) : Number.NaN;
  if (!(ttlSeconds >= 1 && ttlSeconds <= MAX_TTL_SECONDS)) {
    throw new UsageError(`--ttl must be a whole number of seconds from 1 to ${MAX_TTL_SECONDS} (30 days); got "${ttl}"`);
  }
  return { actor: actor as ActorType, sub, ttlSeconds };
}

/** JWT settings with the secret that signs. */
type SigningConfig = JwtConfig & { readonly secret: string };

/** The JWT settings, refusing a setup that cannot sign HS256 tokens. */
function signingConfig(): SigningConfig {
  // The API needs either key; minting needs the secret, so that check is made here instead.
  const { jwt: config } = loadConfig(undefined, {});
  const { secret } = config;
  if (secret === undefined) {
    throw new ConfigError([
      "JWT_SECRET: not set. This command signs HS256 tokens only, so set JWT_SECRET to the API's secret (at least 32 bytes); " +
        "JWT_PUBLIC_KEY_FILE holds public keys, which verify tokens but cannot sign them",
    ]);
  }
  return { ...config, secret };
}

/** Signs `sub`, `actor`, `iat`, `exp` and, when configured, `iss` and `aud`. */
function mint(request: TokenRequest, config: SigningConfig): string {
  const iat = Math.floor(Date.now() / 1000);
  const claims: Record<string, string | number> = { sub: request.sub, actor: request.actor, iat, exp: iat + request.ttlSeconds };
  if (config.issuer !== undefined) claims.iss = config.issuer;
  if (config.audience !== undefined) claims.aud = config.audience;
  return jwt.sign(claims, config.secret, { algorithm: "HS256" });
}

function main(args: string[]): number {
  try {
    const request = parseRequest(args);
    if (request === undefined) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    process.stdout.write(`${mint(request, signingConfig())}\n`);
    return 0;
  } catch (error) {
    const usage = usageExit(error, USAGE);
    if (usage !== undefined) return usage;
    throw error;
  }
}

process.exitCode = main(process.argv.slice(2));
