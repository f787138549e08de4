// Decode truncates a card number (PAN) in an event's free text and names the fields that held one, for the producer
// to be told; what is not free text (ids, hashes, tokens, amounts, times) stays as sent, card-like or not, and a
// refusal's reason, which may quote the message, never holds a card number whole.
import { describe, expect, it } from "vitest";
import { decode, decodeMessage } from "../src/decode/decode.js";
import { sha256Tagged } from "../src/lib/url.js";
import { PAN, SHOWN, SPACED, eventsWithCardNumbers, holdsPan } from "./helpers/card-number-events.js";
import { chargeback, merchant, resetEvents, tx } from "./helpers/events.js";
import { syntheticPan } from "./helpers/card-numbers.js";

const bytes = (e: unknown) => Buffer.from(JSON.stringify(e));

describe("decode of an event with a card number in its free text", () => {
  it("truncates it in every free-text field and names the fields", () => {
    const decoded = eventsWithCardNumbers().map((e) => decode(bytes(e)));
    expect(decoded.map((d) => d.ok && d.cardNumbersIn)).toEqual([
      ["descriptor", "legalName", "websites"],
      ["descriptor", "checkout.url", "checkout.referrerUrl"],
      ["url", "linkedUrls"],
    ]);
    for (const d of decoded) expect(holdsPan(JSON.stringify(d))).toBe(false);
    expect(decoded[1]).toMatchObject({ event: { descriptor: `TOKALPHA*${SHOWN}`, checkout: { url: `https://pay.example/c?card=${SHOWN}` } } });
  });

  it("takes no id, hash, token, amount or BIN for one, and says nothing of an event without one", () => {
    resetEvents();
    const hash = sha256Tagged(PAN);
    const events = [
      merchant({ eventId: PAN, merchantId: `acq-nl:${PAN}`, acquirerId: PAN, contactEmail: hash, descriptor: "EXAMPLE SHOP 0201234567" }),
      tx({ eventId: `e-${PAN}`, transactionId: PAN, amountMinor: Number(PAN), card: { token: hash, bin: PAN.slice(0, 8) }, checkout: { url: `https://pay.example/c/${hash}` } }),
      chargeback({ transactionId: PAN, amountMinor: Number(PAN) }),
    ];
    for (const e of events) {
      const d = decode(bytes(e));
      expect(d).toEqual({ ok: true, event: e });
    }
  });

  it("takes no time for one, whatever its unit, nor a run of zeros", () => {
    // each passes Luhn's check: epoch milliseconds, microseconds, nanoseconds, a compact date and time
    const times = [syntheticPan("176722560000"), syntheticPan("176722560000000"), syntheticPan("176722560000000000"), syntheticPan("2026030109300012")];
    const url = `https://pay.example/c?${times.map((t, i) => `t${i}=${t}`).join("&")}&z=${"0".repeat(16)}`;
    resetEvents();
    const e = tx({ descriptor: `SHOP ${times[3]} ${times[0]}`, checkout: { url, referrerUrl: `https://ref.example/${times[1]}?at=${times[2]}` } });
    expect(decode(bytes(e))).toEqual({ ok: true, event: e });
    // a card number beside them is truncated all the same
    const withPan = tx({ checkout: { url: `${url}&card=${PAN}` } });
    expect(decode(bytes(withPan))).toMatchObject({ ok: true, event: { checkout: { url: `${url}&card=${SHOWN}` } }, cardNumbersIn: ["checkout.url"] });
  });

  it("truncates one that is a segment of a URL's path, and leaves a hash or base64 beside it as it is", () => {
    resetEvents();
    const hash = "9f2c4e6a8b0d1f3e5a7c9b1d3f5e7a9c";
    const e = tx({ checkout: { url: `https://pay.example/card/${PAN}/confirm`, referrerUrl: `https://ref.example/${PAN}?h=${hash}&b=ab+/${PAN}x` } });
    expect(decode(bytes(e))).toMatchObject({
      ok: true,
      event: { checkout: { url: `https://pay.example/card/${SHOWN}/confirm`, referrerUrl: `https://ref.example/${SHOWN}?h=${hash}&b=ab+/${PAN}x` } },
      cardNumbersIn: ["checkout.url", "checkout.referrerUrl"],
    });
  });

  it("refuses with a reason that quotes the message's key or text with the number truncated", () => {
    const [event] = eventsWithCardNumbers();
    const wrongKey = decodeMessage({ key: Buffer.from(`card ${SPACED}`), value: bytes(event) }, 65536);
    const notJson = decode(`=${PAN}`);
    for (const d of [wrongKey, notJson]) {
      expect(d.ok).toBe(false);
      if (d.ok) continue;
      expect(holdsPan(d.reason), d.reason).toBe(false);
      expect(d.reason).toContain(SHOWN);
    }
  });
});
