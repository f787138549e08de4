import { createHash } from "node:crypto";

/** FNV-1a, 32 bits: a compact fingerprint for remembering "seen before" without keeping the string. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** SHA-256 in hex: content versions, token and session hashes, alert ids. */
export const sha256Hex = (data: string | Uint8Array): string => createHash("sha256").update(data).digest("hex");
