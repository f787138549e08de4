// A coalition member that misbehaves (a faulty tool, or on purpose): what it puts on the topic or hands over as a file
// is refused with the reason and what to do, and the sets in force stay.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Kafka } from "kafkajs";
import { IndicatorSubscriber, topicKey, type VersionFloor } from "../src/indicators/distribution.js";
import { readIndicatorSet } from "../src/indicators/index.js";
import { ConfigError, UsageError, whatToDo, zodIssues } from "../src/lib/errors.js";
import { FORMAT, INDICATOR_SET_MAX_BYTES, IndicatorSet } from "../src/indicators/schema.js";
import { generateSigningKey, signSet, verifySet, type TrustStore } from "../src/indicators/sign.js";
import { CLI } from "./helpers/cli.js";

const hotline = generateSigningKey();
const rogue = generateSigningKey();
const trust: TrustStore = {
  keys: [
    { keyId: "hotline-1", publisher: "member:hotline-x", publicKey: hotline.publicKeyPem },
    { keyId: "rogue-1", publisher: "member:rogue", publicKey: rogue.publicKeyPem },
  ],
};
const set = (publisher: string, id: string, version: number): IndicatorSet =>
  IndicatorSet.parse({
    format: FORMAT,
    id,
    version,
    publisher: { id: publisher },
    created: "2026-11-01T00:00:00Z",
    entries: [{ id: "e-1", kind: "domain", value: "flagged-gallery.example", confidence: 90 }],
  });
const hotlineSet = signSet(set("member:hotline-x", "hotline-x-2026-11", 3), "hotline-1", hotline.privateKeyPem);

type Message = { key: Buffer | null; value: Buffer | null };

/** A subscriber over a stand-in consumer (as in indicator-distribution.test.ts): raw() hands it a batch. */
async function subscriber(initial: IndicatorSet[], floor?: VersionFloor, untrustedKeptBytes?: number) {
  let eachBatch: ((p: { batch: { messages: Message[] } }) => Promise<void>) | undefined;
  const kafka = {
    consumer: () => ({
      connect: async () => {},
      subscribe: async () => {},
      run: async (o: { eachBatch: typeof eachBatch }) => void (eachBatch = o.eachBatch),
      disconnect: async () => {},
    }),
  } as unknown as Kafka;
  const seen = { inForce: initial, refused: [] as { key: string | null; reason: string; kind: string }[] };
  const sub = new IndicatorSubscriber(
    { kafka, topic: "t", trust, ...(floor && { floor }), ...(untrustedKeptBytes && { untrustedKeptBytes }), onChange: (s) => (seen.inForce = s), onRefused: (key, reason, kind) => seen.refused.push({ key, reason, kind }) },
    initial,
  );
  await sub.start();
  const raw = (...messages: Message[]) => eachBatch!({ batch: { messages } });
  return { seen, raw, sub };
}

const inForce = (sets: IndicatorSet[]) => sets.map((s) => `${s.publisher.id} ${s.id} v${s.version}`);

describe("a misbehaving member on the topic", () => {
  it("refuses a set sent under another publisher's message key: compaction would erase that publisher's set", async () => {
    const { seen, raw } = await subscriber([hotlineSet]);
    const own = signSet(set("member:rogue", "rogue-2026-11", 1), "rogue-1", rogue.privateKeyPem);
    await raw({ key: Buffer.from(topicKey(hotlineSet)), value: Buffer.from(JSON.stringify(own)) });
    expect(seen.refused).toEqual([
      {
        key: topicKey(hotlineSet),
        kind: "publisher",
        reason: `set rogue-2026-11 from member:rogue refused: it came under the message key ${topicKey(hotlineSet)}, not its own ${topicKey(own)}, and on the compacted topic it would erase member:hotline-x's set hotline-x-2026-11; member:rogue should publish it with moneytrail indicators publish, which keys it by its publisher and set id`,
      },
    ]);
    expect(inForce(seen.inForce)).toEqual(["member:hotline-x hotline-x-2026-11 v3"]);
  });
});

describe("a huge set", () => {
  // gzip takes a repetitive set to a thousandth: a message the topic takes (32 MiB compressed) could be gigabytes of
  // JSON, parsed in every member's consumer process
  it("is refused from the topic by its size, before it is parsed", async () => {
    const { seen, raw } = await subscriber([hotlineSet]);
    const huge = Buffer.alloc(INDICATOR_SET_MAX_BYTES + 1, " ");
    huge.write("{}");
    await raw({ key: Buffer.from(topicKey(hotlineSet)), value: huge });
    expect(seen.refused).toEqual([
      {
        key: topicKey(hotlineSet),
        kind: "invalid",
        reason: `set ${topicKey(hotlineSet)} is ${INDICATOR_SET_MAX_BYTES + 1} bytes of JSON, more than a set may have (${INDICATOR_SET_MAX_BYTES}): not read; its publisher should split it into sets of their own`,
      },
    ]);
    expect(inForce(seen.inForce)).toEqual(["member:hotline-x hotline-x-2026-11 v3"]);
  });

  it("is refused as a file by its size, before it is read", () => {
    const file = join(mkdtempSync(join(tmpdir(), "member-huge-")), "huge.json");
    writeFileSync(file, "");
    // a sparse file: its size without writing it
    truncateSync(file, INDICATOR_SET_MAX_BYTES + 1);
    let err: unknown;
    try {
      readIndicatorSet(file);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toBe(
      `${file}: (top level): ${INDICATOR_SET_MAX_BYTES + 1} bytes, more than an indicator set may have (${INDICATOR_SET_MAX_BYTES}): not read`,
    );
    expect(whatToDo(err as ConfigError)).toBe("Split the set into sets of their own (each with its own id), or ask its publisher to; nothing was loaded.");
  });
});

describe("values where a hash is required, and times in other forms", () => {
  /** The issues a set with one entry changed by `change` is refused with, as a set file names them. */
  const issues = (change: Record<string, unknown>): string[] => {
    const json = JSON.parse(JSON.stringify({ ...hotlineSet, signature: undefined, entries: [{ ...hotlineSet.entries[0], ...change }] }));
    const parsed = IndicatorSet.safeParse(json);
    return parsed.success ? [] : zodIssues(parsed.error, json).map((i) => `${i.path}: ${i.message}`);
  };
  const hex = "0d5671755011adbaebeb2fa6e7504ed601aae9e5ef28a0b4afa6cf5c233461cf";

  it("says what went wrong with a hash and how to make the right one, never repeating a plaintext value", () => {
    expect(issues({ kind: "email-sha256", value: "jane.doe@mail.example" })).toEqual([
      "entries[0].value: plain text where a hash is required, so it could never match, and it travels in the clear: give sha256: and the hex SHA-256 of the trimmed, lowercased address (as events' contactEmail) (kind email-sha256)",
    ]);
    expect(issues({ kind: "account-sha256", value: "XX00 PLACEHOLDER 0000" })).toEqual([
      "entries[0].value: plain text where a hash is required, so it could never match, and it travels in the clear: give sha256: and the hex SHA-256 that acquirers' events carry as payoutAccount (made upstream) (kind account-sha256)",
    ]);
    expect(issues({ kind: "principal-sha256", value: hex })).toEqual([
      "entries[0].value: 64 hex digits without the sha256: prefix: write sha256: before them (kind principal-sha256)",
    ]);
    expect(issues({ kind: "url-sha256", value: `sha256:${hex.slice(0, 62)}` })).toEqual([
      "entries[0].value: sha256: followed by 62 hex digits, where a SHA-256 has 64 (cut short, or another hash: MD5 has 32, SHA-1 40): give sha256: and the hex SHA-256 of the canonical URL (moneytrail indicators export --hash makes it from a url entry) (kind url-sha256)",
    ]);
    expect(issues({ kind: "domain-sha256", value: `md5:${hex.slice(0, 32)}` })).toEqual([
      "entries[0].value: an md5 hash where a SHA-256 is required: give sha256: and the hex SHA-256 of the canonical domain (moneytrail indicators export --hash makes it from a domain entry) (kind domain-sha256)",
    ]);
    expect(issues({ kind: "email-sha256", value: `sha256:${hex.slice(0, 63)}g` })).toEqual([
      "entries[0].value: sha256: followed by characters other than hex digits (0-9, a-f): give sha256: and the hex SHA-256 of the trimmed, lowercased address (as events' contactEmail) (kind email-sha256)",
    ]);
  });

  it("says what a time looks like when one is a number or another form", () => {
    const rfc3339 = "expected an RFC 3339 time with seconds and Z (or an offset), e.g. 2026-11-01T00:00:00Z";
    expect(issues({ validUntil: 1819584000 })).toEqual([`entries[0].validUntil: ${rfc3339}, not a number`]);
    expect(issues({ validUntil: "2027-02-28" })).toEqual([`entries[0].validUntil: ${rfc3339}`]);
  });
});

describe("ids that would forge or hide text", () => {
  it("refuses control and bidirectional formatting characters in set, entry, publisher and key ids", () => {
    const forged = "rogue-x\nok       sets/hotline-x.json: hotline-x-2026-11 version 9 by member:hotline-x, signed with hotline-1";
    const json = JSON.parse(
      JSON.stringify({
        ...hotlineSet,
        id: forged,
        publisher: { id: "member:rogue\u202e" },
        entries: [{ ...hotlineSet.entries[0], id: "e-1\u0007" }],
        signature: { ...hotlineSet.signature, keyId: "rogue-1\r" },
      }),
    );
    const parsed = IndicatorSet.safeParse(json);
    const why = "a control or bidirectional formatting character, which would forge or hide text where the id is shown (command output, logs, alerts): use printable characters";
    expect(parsed.success ? [] : zodIssues(parsed.error, json).map((i) => `${i.path}: ${i.message}`)).toEqual([
      `id: ${why}`,
      `publisher.id: ${why}`,
      `entries[0].id: ${why}`,
      `signature.keyId: ${why}`,
    ]);
  });
});

describe("signatures refused on the topic say what to do", () => {
  // a set from the topic is refused in the log with verifySet's reason alone: no hint line follows it there
  it("names the action for a key of another member, a key outside its window and a changed set", () => {
    const imposter = signSet(set("member:hotline-x", "hotline-x-2026-11", 4), "rogue-1", rogue.privateKeyPem);
    expect(verifySet(imposter, trust)).toEqual({
      ok: false,
      reason:
        "key rogue-1 belongs to member:rogue, but set hotline-x-2026-11 says it is from member:hotline-x: a member signs only its own sets; ask member:hotline-x for the set signed with its own key",
    });
    const rotated: TrustStore = { keys: [{ ...trust.keys[0]!, validUntil: "2026-10-01T00:00:00Z" }] };
    expect(verifySet(hotlineSet, rotated)).toEqual({
      ok: false,
      reason:
        "key hotline-1 signs only sets created from the start until 2026-10-01T00:00:00Z; set hotline-x-2026-11 was created 2026-11-01T00:00:00Z: ask member:hotline-x for the set signed with its key for that time (or add that key to the trust store)",
    });
    const changed = { ...hotlineSet, version: 9 };
    expect(verifySet(changed, trust)).toEqual({
      ok: false,
      reason:
        "the signature of set hotline-x-2026-11 does not match its content: it was changed after signing, or signed with another key than hotline-1; ask member:hotline-x for a correctly signed copy",
    });
  });
});

describe("a trust store changed back", () => {
  // an operator revokes or removes the wrong key, then puts it back: the sets it signed were withdrawn at once, and a
  // process started now would take them again
  it("puts back the sets withdrawn when their key verifies them again", async () => {
    const { seen, raw, sub } = await subscriber([]);
    await raw({ key: Buffer.from(topicKey(hotlineSet)), value: Buffer.from(JSON.stringify(hotlineSet)) });
    expect(inForce(seen.inForce)).toEqual(["member:hotline-x hotline-x-2026-11 v3"]);
    const revoked: TrustStore = { keys: [{ ...trust.keys[0]!, revoked: { at: "2026-12-01T00:00:00Z", reason: "revoked by mistake" } }, trust.keys[1]!] };
    expect((await sub.retrust(revoked)).withdrawn.map((w) => w.set)).toEqual(["hotline-x-2026-11"]);
    expect(inForce(seen.inForce)).toEqual([]);
    expect(await sub.retrust(trust)).toEqual({ withdrawn: [], taken: [{ set: "hotline-x-2026-11", publisher: "member:hotline-x", version: 3 }] });
    expect(inForce(seen.inForce)).toEqual(["member:hotline-x hotline-x-2026-11 v3"]);
    expect(seen.refused).toEqual([]);
  });
});

describe("a set id taken over while its owner's set is not in force", () => {
  // after a restart, the owner's set may come later on the topic than another member's set under its id (compaction
  // keeps each key's latest message, in the order they were written), or not be in force at that point (its release
  // passed over as history): the id still belongs to the publisher whose set was in force under it before
  it("refuses another member's set under the id of a set put in force before this process started", async () => {
    const floor: VersionFloor = { load: async () => [{ publisher: "member:hotline-x", setId: "hotline-x-2026-11", signedBy: "hotline-1", version: 3 }], record: async () => {} };
    const { seen, raw } = await subscriber([], floor);
    const grab = signSet({ ...set("member:rogue", "hotline-x-2026-11", 99), entries: [] }, "rogue-1", rogue.privateKeyPem);
    const message = (s: IndicatorSet): Message => ({ key: Buffer.from(topicKey(s)), value: Buffer.from(JSON.stringify(s)) });
    await raw(message(grab), message(hotlineSet));
    expect(seen.refused).toEqual([
      {
        key: topicKey(grab),
        kind: "publisher",
        reason:
          "set hotline-x-2026-11 from member:rogue refused: that id belongs to member:hotline-x, whose version 3 of it has been in force; member:rogue should publish under an id of its own",
      },
    ]);
    expect(inForce(seen.inForce)).toEqual(["member:hotline-x hotline-x-2026-11 v3"]);
  });

  it("keeps the id of a set withdrawn by a trust-store change for its publisher", async () => {
    const { seen, raw, sub } = await subscriber([hotlineSet]);
    await sub.retrust({ keys: [trust.keys[1]!] });
    expect(inForce(seen.inForce)).toEqual([]);
    const grab = signSet({ ...set("member:rogue", "hotline-x-2026-11", 99), entries: [] }, "rogue-1", rogue.privateKeyPem);
    await raw({ key: Buffer.from(topicKey(grab)), value: Buffer.from(JSON.stringify(grab)) });
    expect(seen.refused.map((r) => r.kind)).toEqual(["publisher"]);
    expect(inForce(seen.inForce)).toEqual([]);
  });
});

describe("indicators export --format stix of a set with TLP:RED entries", () => {
  // the v1 export says it left them out; the STIX one said nothing, and a member wondered where they went
  it("lists each TLP:RED entry as not exported, and leaves it out", { timeout: 60_000 }, () => {
    const file = join(mkdtempSync(join(tmpdir(), "member-red-")), "set.json");
    const red = { id: "e-2", kind: "domain", value: "internal-lead.example", confidence: 90, tlp: "red" };
    writeFileSync(file, JSON.stringify({ ...hotlineSet, signature: undefined, entries: [...hotlineSet.entries, red] }));
    const r = spawnSync(process.execPath, [...CLI, "indicators", "export", file, "--format", "stix"], { encoding: "utf8", timeout: 60_000 });
    expect(r.stderr).toBe("not exported: e-2: TLP:RED is never exported\n");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('"x_moneytrail_entry_id": "e-1"');
    expect(r.stdout).not.toContain("internal-lead");
  });
});

describe("an old release handed over as a file", () => {
  // MT_INDICATORS is in force from the start, before the topic is read (and the topic may no longer hold the newer
  // release): an older version there would match entries revoked since
  it("stops the start when a set given at start is older than a version in force before", async () => {
    const floor: VersionFloor = { load: async () => [{ publisher: "member:hotline-x", setId: "hotline-x-2026-11", signedBy: "hotline-1", version: 4 }], record: async () => {} };
    const started = subscriber([hotlineSet], floor);
    await expect(started).rejects.toThrow(UsageError);
    await expect(started).rejects.toThrow(
      "set hotline-x-2026-11 version 3 from member:hotline-x, given at start (MT_INDICATORS), is older than version 4, in force before (mt_indicator_versions): an older release would bring back what the newer ones changed (entries since revoked among them); put the set's latest version there, or leave the set out (the topic's release is taken)",
    );
  });
});

describe("indicators verify of a set that does not verify", () => {
  // a set file's other refusals name the place inside it (entries[4].value: ...), as run and replay name this one
  it("names the signature as the place refused", { timeout: 60_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), "member-verify-"));
    const file = join(dir, "tampered.json");
    const storeFile = join(dir, "trust.json");
    writeFileSync(file, JSON.stringify({ ...hotlineSet, version: 9 }));
    writeFileSync(storeFile, JSON.stringify(trust));
    const r = spawnSync(process.execPath, [...CLI, "indicators", "verify", file, "--trust", storeFile], { encoding: "utf8", timeout: 60_000 });
    expect(r.stdout).toBe(
      `REFUSED  ${file}: signature: the signature of set hotline-x-2026-11 does not match its content: it was changed after signing, or signed with another key than hotline-1; ask member:hotline-x for a correctly signed copy\n`,
    );
    expect(r.status).toBe(2);
  });
});

describe("sets under keys not yet trusted", () => {
  // each is kept (the topic's latest under its key) to be taken when its key is added: without a bound, a member
  // writing many large sets signed with keys nobody trusts would fill every consumer's memory
  it("are kept up to a bound for a trust-store change; beyond it, refused without being kept", async () => {
    const strangers = [generateSigningKey(), generateSigningKey()];
    const sets = strangers.map((k, i) => signSet(set(`member:new-${i}`, `new-${i}-2026-11`, 1), `new-${i}`, k.privateKeyPem));
    const bytes = Buffer.byteLength(JSON.stringify(sets[0]));
    const { seen, raw, sub } = await subscriber([], undefined, bytes + 10);
    await raw(...sets.map((s) => ({ key: Buffer.from(topicKey(s)), value: Buffer.from(JSON.stringify(s)) })));
    expect(seen.refused.map((r) => r.reason)).toEqual([
      "set new-0-2026-11 is signed with key new-0, which is not in the trust store: add member:new-0's public key if you trust it",
      `set new-1-2026-11 is signed with key new-1, which is not in the trust store: add member:new-1's public key if you trust it (not kept to be taken when its key is trusted: the sets so kept hold ${bytes + 10} bytes at most; a restart reads it again)`,
    ]);
    const added = strangers.map((k, i) => ({ keyId: `new-${i}`, publisher: `member:new-${i}`, publicKey: k.publicKeyPem }));
    expect((await sub.retrust({ keys: [...trust.keys, ...added] })).taken.map((t) => t.set)).toEqual(["new-0-2026-11"]);
  });
});
