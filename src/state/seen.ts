// The event ids a merchant was sent last, so that an event sent again (a producer's retry, a file sent twice) is
// applied once: a chargeback counted twice doubles the merchant's ratios. Bounded: the last TX_IDS transactions and
// the last OTHER_IDS other events (chargebacks, profiles, observations), apart, so that a busy merchant's sales do not
// push its rare chargebacks out within minutes. Kept as 48-bit hashes, not the ids, for the state's size (each
// checkpointed as 8 base64 characters). A distinct event is taken for a repeat only if its hash equals one of at
// most 24 others of its merchant: 24 / 2^48, under 1e-13 an event (one in 30 years at a billion events a day).
import type { Event } from "../decode/events.js";

export const TX_IDS = 16;
export const OTHER_IDS = 8;

/** In memory: each ring oldest first; in a checkpoint, each as a base64 string of 6 bytes an id (pack, unpack). */
export interface SeenIds {
  seenTx?: number[];
  seenOther?: number[];
}

/**
 * Whether the event's id is among the merchant's recent ones of its kind; if not, it is noted (the oldest of a full
 * ring forgotten).
 */
export function seenBefore(m: SeenIds, e: Event): boolean {
  const h = hash48(e.eventId);
  const tx = e.type === "transaction";
  const ring = (tx ? m.seenTx : m.seenOther) ?? [];
  if (ring.includes(h)) return true;
  if (ring.length === 0) {
    if (tx) m.seenTx = ring;
    else m.seenOther = ring;
  }
  if (ring.push(h) > (tx ? TX_IDS : OTHER_IDS)) ring.shift();
  return false;
}

const BYTES = 6;

export function pack(ring: number[] | undefined): string | undefined {
  if (!ring?.length) return undefined;
  const b = Buffer.allocUnsafe(ring.length * BYTES);
  ring.forEach((h, i) => b.writeUIntBE(h, i * BYTES, BYTES));
  return b.toString("base64");
}

/** A ring as checkpointed; anything else (a checkpoint from before, a damaged one) is an empty ring. */
export function unpack(s: unknown): number[] | undefined {
  if (typeof s !== "string" || s.length === 0 || s.length % 8 !== 0) return undefined;
  const b = Buffer.from(s, "base64");
  if (b.length % BYTES !== 0) return undefined;
  return Array.from({ length: b.length / BYTES }, (_, i) => b.readUIntBE(i * BYTES, BYTES));
}

/**
 * 48 bits of cyrb53 (public domain, github.com/bryc/code), a fast non-cryptographic string hash with 53 well-mixed
 * bits. Checkpoints keep its values: it must not change.
 */
export function hash48(s: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (h2 & 0xffff) * 0x1_0000_0000 + (h1 >>> 0);
}
