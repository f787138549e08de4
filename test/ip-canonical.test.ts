// An IP address is one address however it is written: "2001:DB8::1" in an event and "2001:db8:0:0::1" in an `ip`
// indicator matched nothing, and two merchants on one server, written so by two acquirers, were not linked. Both
// sides are read in one spelling (RFC 5952 for IPv6), and so are the addresses of profiles and flag notices written
// before.
import { beforeEach, describe, expect, it } from "vitest";
import { decode } from "../src/decode/decode.js";
import { Event } from "../src/decode/events.js";
import { indicatorKey } from "../src/indicators/schema.js";
import { FlagNotice } from "../src/state/infra.js";
import type { StoredMerchant } from "../src/state/merchant.js";
import { engineWith, feed, indicatorSet, merchant, resetEvents, signalOf, state, M1, M2, M3 } from "./helpers/events.js";
import { LISTED_RULE } from "./helpers/rules.js";

const RULES = `${LISTED_RULE}
  - id: shared
    kind: shared-infrastructure
    weight: 60
    typology: shared-infrastructure
    params:
      via: [ip]
      minConfidence: 50
`;
const LISTED = indicatorSet([{ id: "mid-1", kind: "merchant-id", value: M1, confidence: 90 }], { id: "ids", source: "member:test" });
const ips = (...list: string[]) => ({ infrastructure: { ips: list, analyticsIds: [] } });

beforeEach(() => resetEvents());

describe("IP addresses", () => {
  it("are decoded in one spelling; a value that is no address is kept as sent", () => {
    const sent = JSON.stringify(merchant(ips("2001:DB8:0:0::1", " 192.0.2.10 ", "::FFFF:C000:020B", "192.0.2.12", "not-an-address")));
    const d = decode(sent);
    expect(d.ok && d.event.type === "merchant" && d.event.infrastructure?.ips).toEqual(["2001:db8::1", "192.0.2.10", "192.0.2.11", "192.0.2.12", "not-an-address"]);
  });

  it("are decoded as zod reads them, however written: the check without zod admits none in another spelling", () => {
    // seeded: the same addresses every run
    let seed = 7;
    const next = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const group = () => [0, 0, 1, 0xab, 0xfff, 0xffff][next(6)]!;
    const spell = (g: number) => [g.toString(16), g.toString(16).toUpperCase(), g.toString(16).padStart(4, "0")][next(3)]!;
    for (let i = 0; i < 3000; i++) {
      const groups = Array.from({ length: 8 }, group);
      let written = groups.map(spell).join(":");
      // a run of groups left out as ::, where they are zero or not (then no address: kept as sent)
      const from = next(8);
      const to = from + next(8 - from);
      if (next(2)) written = `${groups.slice(0, from).map(spell).join(":")}::${groups.slice(to).map(spell).join(":")}`;
      const event = merchant(ips("192.0.2.1"));
      const sent = JSON.stringify({ ...event, infrastructure: { ips: [written], analyticsIds: [] } });
      const d = decode(sent);
      const z = Event.safeParse(JSON.parse(sent));
      expect(d.ok && d.event.type === "merchant" && d.event.infrastructure?.ips, written).toEqual(z.success && z.data.type === "merchant" && z.data.infrastructure?.ips);
    }
  });

  it("of ip indicators are keyed in the same spelling", () => {
    expect(indicatorKey("ip", "2001:0DB8::0001")).toBe("2001:db8::1");
    expect(indicatorKey("ip", "::ffff:192.0.2.11")).toBe("192.0.2.11");
    expect(indicatorKey("ip", "192.0.2.10")).toBe("192.0.2.10");
  });

  it("written two ways, match a listed address and link two merchants", () => {
    const listedIp = indicatorSet([{ id: "ip-1", kind: "ip", value: "2001:DB8::7", confidence: 70 }], { id: "infra", source: "member:test" });
    const engine = engineWith(RULES, [LISTED, listedIp]);
    feed(engine, [merchant({ merchantId: M3, ...ips("2001:db8:0::7") })]);
    expect(signalOf(engine, "shared", M3)?.detail).toMatch(/^listed ip \(infra\/ip-1/);
    feed(engine, [merchant({ merchantId: M2, ...ips("2001:db8::abcd") }), merchant({ merchantId: M1, ...ips("2001:DB8:0:0:0:0:0:ABCD") })]);
    expect(signalOf(engine, "shared", M2)?.detail).toBe(`ip with flagged merchant ${M1}`);
  });

  it("of a profile checkpointed in another spelling, and of a flag notice, are read in the one spelling", () => {
    const engine = engineWith(RULES, LISTED);
    feed(engine, [merchant({ merchantId: M2, ...ips("2001:db8::abcd") })]);
    const old = JSON.parse(JSON.stringify(engine.snapshot(state(engine, M2)))) as StoredMerchant;
    old.profile!.ips = ["2001:DB8::ABCD"];
    const restored = engineWith(RULES, LISTED);
    restored.restore([old]);
    expect(state(restored, M2).profile!.ips).toEqual(["2001:db8::abcd"]);
    // a flagged merchant held by another process, its notice written with the address as its event had it
    const notice = FlagNotice.parse({ merchantId: M1, eventId: "e-9", occurredAt: "2026-03-02T00:00:00Z", keys: [{ kind: "ip", value: "2001:DB8:0::ABCD" }] });
    expect(restored.flagRemote(notice)).toEqual([M2]);
  });
});
