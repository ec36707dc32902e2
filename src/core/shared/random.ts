/** A small seeded PRNG (mulberry32): the same seed gives the same sequence, for demo and benchmark data. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One item, uniformly. */
export function pick<T>(rand: () => number, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)] as T;
}

/** One item, skewed towards the start of the list: a few items are picked often, most rarely. */
export function skewed<T>(rand: () => number, list: readonly T[], power = 2.2): T {
  return list[Math.floor(rand() ** power * list.length)] as T;
}
