// indicators publish refuses plain `url` entries (an abuse page's address must not reach every member when its hash
// matches the same) and sets with TLP:RED entries; plain `domain` entries went out without a word. A domain-sha256
// hash matches the same site and its subdomains, so a plain domain at TLP:AMBER gives every member reading the topic
// the site's name for nothing but the look-alike matching a hash hides. publish says so, with what to do, and
// publishes (a member may want look-alikes found); a plain domain at TLP:RED is refused as every RED entry is; at
// TLP:GREEN or CLEAR (every member may read it), nothing is said.
import { describe, expect, it } from "vitest";
import { publishBeforeConnect } from "./helpers/publish.js";

const { setFile, publish } = publishBeforeConnect("mt-publish-domains-", { id: "bank-b-list", version: 1, publisher: { id: "member:bank-b" } });

const domain = (id: string, tlp: "clear" | "green" | "amber" | "amber+strict" | "red", value = `${id}-listed.example`) => ({ id, kind: "domain" as const, value, confidence: 80, tlp });

describe("indicators publish: plain domain entries", () => {
  it("at TLP:AMBER are named, with what a hash keeps and what it hides, and the set still goes out", { timeout: 60_000 }, () => {
    const file = setFile("amber.json", [domain("a-1", "amber"), domain("a-2", "amber+strict"), { ...domain("a-3", "amber"), revoked: true }, domain("a-4", "green")]);
    const r = publish(file);
    const [note, ...rest] = r.stderr.split("\n");
    expect(note).toBe(
      `note: ${file} has 3 domain entries in plain text at TLP:AMBER or AMBER+STRICT (a-1, a-2, a-3): every member reading the topic gets the site's name. ` +
        `A domain-sha256 hash matches the same site and its subdomains: to send hashes, export it with --hash (moneytrail indicators export ${file} --hash --out EXPORT.json), sign that and publish it. ` +
        "Keep a domain plain only for members to find hosts drawn like it (look-alikes, which a hash hides), and mark it TLP:GREEN if every member may read its name; publishing it as it is",
    );
    // then it tries to publish: nothing listens on port 1
    expect(rest.join("\n")).toMatch(/^error: cannot reach Kafka at 127\.0\.0\.1:1/);
    expect(r.status).toBe(1);
    expect(r.stderr).not.toContain("listed.example");
  });

  it("at TLP:RED are refused, as every TLP:RED entry is", { timeout: 60_000 }, () => {
    const r = publish(setFile("red.json", [domain("r-1", "red")]));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("has TLP:RED entries (r-1), which never leave this member");
  });

  it("at TLP:GREEN or CLEAR, nothing is said", { timeout: 60_000 }, () => {
    const r = publish(setFile("green.json", [domain("g-1", "green"), domain("c-1", "clear")]));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: cannot reach Kafka/);
  });
});
