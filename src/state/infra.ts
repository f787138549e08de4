// Which merchants share a piece of infrastructure or identity (IP, analytics ID, principal, payout account,
// e-mail hash), and which of them are flagged. Cross-merchant by nature, so it lives beside the per-merchant
// state rather than in it; it holds keys, never events.
import type { Profile } from "./merchant.js";

export type InfraKind = "ip" | "analytics-id" | "principal" | "payout-account" | "email";
export const INFRA_KINDS: readonly InfraKind[] = ["ip", "analytics-id", "principal", "payout-account", "email"];

export function infraKeys(p: Profile | undefined): string[] {
  if (!p) return [];
  const keys: string[] = [];
  for (const v of p.ips) keys.push(`ip|${v}`);
  for (const v of p.analyticsIds) keys.push(`analytics-id|${v}`);
  for (const v of p.principals) keys.push(`principal|${v}`);
  if (p.payoutAccount) keys.push(`payout-account|${p.payoutAccount}`);
  if (p.contactEmail) keys.push(`email|${p.contactEmail}`);
  return keys;
}

export const keyKind = (key: string): InfraKind => key.slice(0, key.indexOf("|")) as InfraKind;
export const keyValue = (key: string): string => key.slice(key.indexOf("|") + 1);

interface Entry {
  merchants: string[];
  /** merchants holding this key that are flagged */
  flagged: string[];
}

export class InfraIndex {
  private readonly entries = new Map<string, Entry>();
  /** beyond this many sharers a key is common infrastructure (a CDN, a shared host) and no longer listed */
  constructor(readonly maxSharers = 25) {}

  /** Records a merchant's keys after a profile change. */
  update(merchantId: string, before: readonly string[], after: readonly string[]): void {
    for (const k of before) {
      if (after.includes(k)) continue;
      const e = this.entries.get(k);
      if (!e) continue;
      remove(e.merchants, merchantId);
      remove(e.flagged, merchantId);
      if (e.merchants.length === 0) this.entries.delete(k);
    }
    for (const k of after) {
      let e = this.entries.get(k);
      if (!e) this.entries.set(k, (e = { merchants: [], flagged: [] }));
      if (!e.merchants.includes(merchantId) && e.merchants.length <= this.maxSharers) e.merchants.push(merchantId);
    }
  }

  /** Marks a merchant flagged; returns the other merchants that share one of its keys (one hop). */
  flag(merchantId: string, keys: readonly string[]): string[] {
    const peers: string[] = [];
    for (const k of keys) {
      const e = this.entries.get(k);
      if (!e || e.merchants.length > this.maxSharers) continue;
      if (!e.flagged.includes(merchantId)) e.flagged.push(merchantId);
      for (const m of e.merchants) if (m !== merchantId && !peers.includes(m)) peers.push(m);
    }
    return peers;
  }

  /** The flagged merchants (other than this one) sharing each of the given keys. */
  flaggedPeers(merchantId: string, keys: readonly string[]): { key: string; merchantId: string }[] {
    const out: { key: string; merchantId: string }[] = [];
    for (const k of keys) {
      const e = this.entries.get(k);
      if (!e || e.merchants.length > this.maxSharers) continue;
      for (const m of e.flagged) if (m !== merchantId) out.push({ key: k, merchantId: m });
    }
    return out;
  }

  get size(): number {
    return this.entries.size;
  }
}

function remove(list: string[], item: string): void {
  const i = list.indexOf(item);
  if (i >= 0) list.splice(i, 1);
}
