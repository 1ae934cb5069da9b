/** Microbenchmarks of the hot path's CPU-bound steps, in µs per operation. */
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import jwt from "jsonwebtoken";
import { validatePredownload } from "../api/routes/predownload/schema.js";
import { createTokenVerifier, loadVerificationKeys } from "../api/tokens.js";
import type { Config } from "../shared/runtime/config.js";
import { contentDisposition } from "../worker/content-disposition.js";
import { createPresigner } from "../worker/presign.js";
import { s3Client } from "../dev/embedded-s3.js";

async function measure(iterations: number, op: () => unknown): Promise<number> {
  for (let i = 0; i < Math.min(2000, iterations); i++) await op();
  const started = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) await op();
  return Number(process.hrtime.bigint() - started) / 1000 / iterations;
}

export interface MicroResult {
  readonly presignUs: number;
  readonly verifyUs: number;
  readonly validateUs: number;
  /** For comparison, what the service avoids: the SDK's `getSignedUrl()` for the same URL. */
  readonly getSignedUrlUs: number;
  /** For comparison: jsonwebtoken's verify with the secret as a string. */
  readonly verifyStringSecretUs: number;
}

export async function microbenchmarks(config: Config, iterations = 20_000): Promise<MicroResult> {
  const presign = createPresigner(config.s3);
  const input = { objectKey: "email/1011/Résumé report.pdf", fileName: "Résumé report.pdf", contentType: "application/pdf", expiresInSeconds: 300 };
  const verify = createTokenVerifier(config.jwt, loadVerificationKeys(config.jwt));
  const token = jwt.sign({ sub: "u1", actor: "user" }, config.jwt.secret!, { algorithm: "HS256", expiresIn: 3600 });
  const body = { app: "email", type: "attachment.inbound", altId: "7b6c5fff-036e-4a40-b68a-a67c592fc079" };
  const client = s3Client(config.s3.endpoint ?? `https://s3.${config.s3.region}.amazonaws.com`, config.s3.region, config.s3);
  const command = new GetObjectCommand({
    Bucket: config.s3.bucket,
    Key: input.objectKey,
    ResponseContentDisposition: contentDisposition(input.fileName),
    ResponseContentType: input.contentType,
  });
  return {
    presignUs: await measure(iterations, () => presign({ ...input, now: new Date() })),
    verifyUs: await measure(iterations, () => verify(token)),
    validateUs: await measure(iterations, () => validatePredownload(body)),
    getSignedUrlUs: await measure(Math.ceil(iterations / 10), () => getSignedUrl(client, command, { expiresIn: 300 })),
    verifyStringSecretUs: await measure(Math.ceil(iterations / 10), () => jwt.verify(token, config.jwt.secret!, { algorithms: ["HS256"] })),
  };
}
