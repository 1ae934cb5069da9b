/** The keys of the sealed audit trail, read from PEM files: the sealer's private key and verifiers' public keys. */
import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { keyIdOf, sealKeyOf, type SealKey } from "../domain/seal.js";

/** The key file cannot be used: the message names the file and why. */
export class SealKeyError extends Error {}

function readPem(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new SealKeyError(`${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

/** The Ed25519 private key of `AUDIT_SEAL_KEY_FILE`. */
export function loadSealKey(path: string): SealKey {
  const pem = readPem(path);
  try {
    return sealKeyOf(createPrivateKey(pem));
  } catch (error) {
    throw new SealKeyError(`${path}: not an Ed25519 private key in PEM (${(error as Error).message})`);
  }
}

/** A public key a verifier accepts, by its key id. */
export interface VerificationKey {
  readonly keyId: string;
  readonly publicKey: KeyObject;
  /** Where it came from, to say which key signed what. */
  readonly source: string;
}

/** The Ed25519 public key in a PEM file (a private key's public half is taken too). */
export function loadVerificationKey(path: string): VerificationKey {
  const pem = readPem(path);
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey(pem);
  } catch (error) {
    throw new SealKeyError(`${path}: not a public key in PEM (${(error as Error).message})`);
  }
  if (publicKey.asymmetricKeyType !== "ed25519") throw new SealKeyError(`${path}: an Ed25519 key is needed, got ${publicKey.asymmetricKeyType}`);
  return { keyId: keyIdOf(publicKey), publicKey, source: path };
}
