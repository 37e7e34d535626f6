/**
 * A set of strings that stores only a 64-bit fingerprint of each, in typed arrays: 8 bytes
 * per entry (16 at the worst load) instead of the ~80 a JS `Set<string>` costs. An import
 * of a million rows must find duplicates within the file without its memory growing with
 * the addresses themselves.
 *
 * Two different strings share a fingerprint with probability ≈ n² / 2⁶⁵ — about 3·10⁻⁸
 * for a million addresses — in which case the second is wrongly taken for a duplicate.
 * Open addressing with linear probing; a slot of two zero words is empty (fingerprints
 * always have their lowest bit set, so they are never zero).
 */
export class FingerprintSet {
  private hi: Uint32Array;
  private lo: Uint32Array;
  private mask: number;
  private used = 0;

  /** @param capacity initial slots, rounded up to a power of two. @defaultValue 4096 */
  constructor(capacity = 4096) {
    let size = 16;
    while (size < capacity) size *= 2;
    this.hi = new Uint32Array(size);
    this.lo = new Uint32Array(size);
    this.mask = size - 1;
  }

  get size(): number {
    return this.used;
  }

  /** Adds the string; returns false when it (or a string with its fingerprint) was already there. */
  add(value: string): boolean {
    // Two independent 32-bit hashes in one pass: FNV-1a and a murmur3-style mix.
    let h = 0x811c9dc5;
    let m = 0x9747b28c ^ value.length;
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      h = Math.imul(h ^ c, 0x01000193);
      let k = Math.imul(c, 0xcc9e2d51);
      k = (k << 15) | (k >>> 17);
      m ^= Math.imul(k, 0x1b873593);
      m = (m << 13) | (m >>> 19);
      m = (Math.imul(m, 5) + 0xe6546b64) | 0;
    }
    m ^= m >>> 16;
    m = Math.imul(m, 0x85ebca6b);
    m ^= m >>> 13;
    m = Math.imul(m, 0xc2b2ae35);
    m ^= m >>> 16;
    if (this.insert(h >>> 0, (m | 1) >>> 0)) {
      this.used++;
      // Keep the load under 1/2 so probes stay short.
      if (this.used * 2 > this.mask) this.grow();
      return true;
    }
    return false;
  }

  private insert(h: number, l: number): boolean {
    let i = h & this.mask;
    for (;;) {
      const sl = this.lo[i] as number;
      if (sl === 0) {
        this.hi[i] = h;
        this.lo[i] = l;
        return true;
      }
      if (sl === l && this.hi[i] === h) return false;
      i = (i + 1) & this.mask;
    }
  }

  private grow(): void {
    const { hi, lo } = this;
    const size = hi.length * 2;
    this.hi = new Uint32Array(size);
    this.lo = new Uint32Array(size);
    this.mask = size - 1;
    for (let i = 0; i < hi.length; i++) {
      const l = lo[i] as number;
      if (l !== 0) this.insert(hi[i] as number, l);
    }
  }
}
