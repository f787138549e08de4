// A card number (PAN) must never reach a log line: the contract carries card tokens only, but a number typed into a
// free-text field (a descriptor, a legal name, a URL's query) or an error that quotes one is text like any other.
// A Luhn-valid run of 13 to 19 digits, grouped or not, is logged truncated to its first six and last four digits
// (the most PCI DSS lets a display show); hashes, ids and numbers that fail the check are logged as they are.
import { describe, expect, it } from "vitest";
import { Writable } from "node:stream";
import { createLogger } from "../src/lib/log.js";
import { sha256Tagged } from "../src/lib/url.js";
import { syntheticPan } from "./helpers/card-numbers.js";

const PAN = syntheticPan("400012345678901");
const GROUPED = PAN.replace(/(\d{4})(?=\d)/g, "$1 ");

describe("a card number in a log line", () => {
  it("is truncated wherever it sits: message, fields, errors, child bindings", () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _e, cb) => (lines.push(chunk.toString()), cb()) });
    const log = createLogger("info", sink);
    const hash = sha256Tagged(PAN);
    log.info({ descriptor: `SHOP*${PAN}`, url: `https://shop.example/c?pan=${PAN}&x=1`, hash, order: "1234567890123456" }, `charge on ${GROUPED}`);
    log.error({ err: new Error(`cannot store ${PAN}-x`) }, "failed");
    log.child({ legalName: `Shop ${PAN.slice(0, 8)}-${PAN.slice(8)}` }).info("profile");
    const text = lines.join("");
    expect(lines).toHaveLength(3);
    for (const digits of [PAN, GROUPED, `${PAN.slice(0, 8)}-${PAN.slice(8)}`]) expect(text).not.toContain(digits);
    expect(text).toContain(`Shop 400012******${PAN.slice(-4)}`);
    expect(text).toContain(`SHOP*400012******${PAN.slice(-4)}`);
    expect(text).toContain(`charge on 400012******${PAN.slice(-4)}`);
    // a hash that holds the digits, and a number that is no card number, stay
    expect(text).toContain(hash);
    expect(text).toContain("1234567890123456");
  });
});
