// Logs never carry card tokens, e-mails, payout accounts, principals or wallets, wherever they sit in a logged object.
import { describe, it, expect } from "vitest";
import { Writable } from "node:stream";
import { createLogger } from "../src/lib/log.js";
import { sha256Tagged } from "../src/lib/url.js";

describe("log redaction", () => {
  it("redacts identifiers in events and nested objects", () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _e, cb) => (lines.push(chunk.toString()), cb()) });
    const log = createLogger("info", sink);
    const token = sha256Tagged("card-1");
    const email = sha256Tagged("mail-1");
    const account = sha256Tagged("acct-1");
    log.info({ event: { type: "transaction", card: { token, bin: "411111" } } }, "tx");
    log.info({ merchant: { contactEmail: email, payoutAccount: account, principals: [account], wallets: ["w-1"] } }, "profile");
    log.info({ card: { token }, email }, "top level");
    const text = lines.join("");
    expect(lines).toHaveLength(3);
    for (const secret of [token, email, account, "w-1", "411111"]) expect(text).not.toContain(secret);
    expect(text).toContain("[redacted]");
  });
});
