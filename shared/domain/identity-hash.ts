/**
 * 64-bit hashes of record identities (`<kind>:<id>`), and a fixed-size table of them. The import's
 * duplicate check and its replace sweep compare these hashes, not the ids themselves: 8 bytes a
 * record instead of a string each. A hash match means "the same identity, or one chance in about
 * 2^64 / n a collision": callers that must be exact confirm a match against the text; a miss is exact.
 */

/** The 64-bit hash of an identity, as two 32-bit halves. */
export interface IdentityHash {
  readonly high: number;
  readonly low: number;
}

/** How identities are hashed; tests give a weak one to make collisions happen. */
export type IdentityHasher = (text: string) => IdentityHash;

/** FNV-1a for one half, a Murmur3-style mix for the other: independent enough for a 64-bit key. */
export function identityHash(text: string): IdentityHash {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  b = Math.imul(b ^ (b >>> 13), 0xc2b2ae35);
  b ^= b >>> 16;
  return { high: a >>> 0, low: b >>> 0 };
}

/**
 * An open-addressed set of 64-bit hashes, sized once for the number of hashes it will hold (kept at
 * most about two thirds full, so a probe stays short): 9 bytes a slot, never grown.
 */
export class IdentityHashTable {
  private readonly highs: Uint32Array;
  private readonly lows: Uint32Array;
  private readonly used: Uint8Array;
  private readonly mask: number;

  constructor(expected: number) {
    let capacity = 16;
    while (capacity * 2 < expected * 3) capacity *= 2;
    this.highs = new Uint32Array(capacity);
    this.lows = new Uint32Array(capacity);
    this.used = new Uint8Array(capacity);
    this.mask = capacity - 1;
  }

  /** How many hashes it was sized for. */
  get capacity(): number {
    return Math.floor((this.used.length * 2) / 3);
  }

  /** Empties it, to be filled again: one table serves bucket after bucket, so only one is ever allocated. */
  clear(): void {
    this.used.fill(0);
  }

  /** Adds a hash; true when it was there already. At most the `expected` hashes given to the constructor fit. */
  add(high: number, low: number): boolean {
    const slot = this.slotOf(high, low);
    if (slot < 0) return true;
    this.used[slot] = 1;
    this.highs[slot] = high;
    this.lows[slot] = low;
    return false;
  }

  has(high: number, low: number): boolean {
    return this.slotOf(high, low) < 0;
  }

  /** The free slot for a hash, or -1 when the hash is present. */
  private slotOf(high: number, low: number): number {
    const { used, highs, lows, mask } = this;
    for (let slot = (low ^ Math.imul(high, 0x9e3779b1)) & mask; ; slot = (slot + 1) & mask) {
      if (used[slot] === 0) return slot;
      if (highs[slot] === high && lows[slot] === low) return -1;
    }
  }
}
