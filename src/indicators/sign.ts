// Integrity of indicator sets: publishers sign a set with Ed25519 (node:crypto); subscribers verify it against the
// publishers' keys in their trust store. A key belongs to one publisher, may be rotated (validity window) or
// revoked; a set whose signature does not verify is refused with the reason.
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from "node:crypto";
import { readFileSync, realpathSync, statSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { canonicalJson } from "../lib/canonical-json.js";
import { ConfigError, readTextFile, zodIssues } from "../lib/errors.js";
import { opensBeforeCloses, parseAnyIndicatorSet, time, type IndicatorSet } from "./schema.js";
import { withoutBom } from "../decode/decode.js";
import { SAMPLE_DIR } from "../lib/paths.js";

export const TrustedKey = z.strictObject({
  keyId: z.string().min(1).max(128),
  /** the publisher (IndicatorSet.publisher.id) this key signs for */
  publisher: z.string().min(1).max(256),
  /** PEM, SubjectPublicKeyInfo */
  publicKey: z.string().min(1),
  /** sets created outside this window are refused with this key: how a rotated-out key stops counting */
  validFrom: time.optional(),
  validUntil: time.optional(),
  revoked: z.strictObject({ at: time, reason: z.string().min(1) }).optional(),
}).superRefine((k, ctx) => opensBeforeCloses(k, ctx, "the key would verify no set"));
export type TrustedKey = z.infer<typeof TrustedKey>;

/** A key is named by its id and publisher: the same pair twice would leave which key checks a set to the order. */
const onePerName = (keys: TrustedKey[], ctx: z.RefinementCtx): void => {
  const first = new Map<string, number>();
  keys.forEach((k, i) => {
    const name = JSON.stringify([k.publisher, k.keyId]);
    const j = first.get(name);
    if (j === undefined) first.set(name, i);
    else ctx.addIssue({ code: "custom", path: [i, "keyId"], message: `key ${k.keyId} of ${k.publisher} is also keys[${j}]: keep one entry per key (a new key gets a new keyId)` });
  });
};

export const TrustStore = z.strictObject({ keys: z.array(TrustedKey).superRefine(onePerName) });
export type TrustStore = z.infer<typeof TrustStore>;

export function loadTrustStore(path: string): TrustStore {
  let json: unknown;
  try {
    json = JSON.parse(withoutBom(readFileSync(path, "utf8")));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EISDIR")
      throw new ConfigError(path, [{ path: "", message: `a directory: a trust store is one JSON file of the publishers' public keys, {"keys": [ … ]}` }], "Give the trust store's file; nothing was changed.");
    throw new ConfigError(path, [{ path: "", message: `not a readable JSON trust store: ${(err as Error).message}` }]);
  }
  // a set where the store goes (two paths swapped): zod would list every key of the set as unrecognized
  const set = parseAnyIndicatorSet(json);
  if (set.success)
    throw new ConfigError(path, [
      { path: "", message: `this is an indicator set (${set.data.id} of ${set.data.publisher.id}), not a trust store: a trust store is the publishers' public keys, {"keys": [ … ]}` },
    ]);
  // keygen prints an entry: saved as the store itself, zod's "keys: missing" and "Unrecognized keys" would read as a bad key
  const entry = TrustedKey.safeParse(json);
  if (entry.success)
    throw new ConfigError(path, [
      {
        path: "",
        message: `this is one key's entry (key ${entry.data.keyId} of ${entry.data.publisher}), as moneytrail indicators keygen prints it: a trust store holds entries in its keys array, {"keys": [ entry, … ]}; put it there`,
      },
    ]);
  const parsed = TrustStore.safeParse(json);
  if (!parsed.success) throw new ConfigError(path, zodIssues(parsed.error, json));
  // by the key itself (its DER), however its PEM was wrapped
  const entryOf = new Map<string, number>();
  parsed.data.keys.forEach((k, i) => {
    const refused = (message: string) => new ConfigError(path, [{ path: `keys[${i}].publicKey`, message }]);
    // node reads a private key as its public half: the secret would sit in a file every subscriber and backup holds
    if (isPrivateKey(k.publicKey))
      throw refused(
        `this is a private key: it must never be in a trust store (whoever reads the file could sign as ${k.publisher}); make a new key (moneytrail indicators keygen), give its printed public key, and treat key ${k.keyId} as compromised`,
      );
    let der: string;
    try {
      der = publicKeyOf(k).export({ type: "spki", format: "der" }).toString("base64");
    } catch (err) {
      throw refused((err as Error).message);
    }
    // a revocation or a window holds one entry: the same key under another would still verify what its thief signs
    const j = entryOf.get(der);
    if (j !== undefined) {
      const other = parsed.data.keys[j]!;
      throw refused(
        `the same public key as keys[${j}] (key ${other.keyId} of ${other.publisher}): one key is one entry, or revoking or retiring one entry leaves the key trusted under the other; give key ${k.keyId} the public key keygen printed for it (a new key is a new key pair: moneytrail indicators keygen)`,
      );
    }
    entryOf.set(der, i);
    // its private key is in git: a set anyone signs with it would be taken as a member's (a copied entry, or renamed)
    if (der === SAMPLE_PUBLIC_KEY_DER && !sameFile(path, SAMPLE_TRUST))
      throw refused(
        `key ${k.keyId} of ${k.publisher} is the sample publisher's key (${SAMPLE_KEY_ID}), whose private key is public in this repository (fixtures/sample/keys/${SAMPLE_KEY_ID}.key.pem): anyone can sign sets with it. Remove this entry from the trust store; only fixtures/sample/trust.json, for the demo and tests, may hold it`,
      );
  });
  return parsed.data;
}

/**
 * Watches a trust store file (its content, polled: an edit, a file renamed over it, a symlink swapped, a shared volume):
 * a changed store that loads goes to `onChange`, one that does not to `onRefused` (the one in force stays). Returns
 * the stop.
 */
export function watchTrustStore(path: string, o: { onChange: (store: TrustStore) => void; onRefused: (err: ConfigError) => void; intervalMs?: number }): () => void {
  const text = (): string => {
    try {
      return readFileSync(path, "utf8");
    } catch (err) {
      return `unreadable: ${(err as Error).message}`;
    }
  };
  let seen = text();
  const check = () => {
    const now = text();
    if (now === seen) return;
    seen = now;
    let store: TrustStore;
    try {
      store = loadTrustStore(path);
    } catch (err) {
      if (err instanceof ConfigError) return o.onRefused(err);
      throw err;
    }
    o.onChange(store);
  };
  // Polled by content rather than fs.watchFile: watchFile's first stat runs on the thread pool, and a change written
  // before it ran was taken as the file's starting point and never seen.
  const timer = setInterval(check, o.intervalMs ?? 1000).unref();
  return () => clearInterval(timer);
}

function isPrivateKey(pem: string): boolean {
  try {
    createPrivateKey(pem);
    return true;
  } catch {
    return false;
  }
}

function publicKeyOf(k: TrustedKey): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(k.publicKey);
  } catch {
    // OpenSSL's own words ("DECODER routines::unsupported") say nothing to a person
    throw new Error("not an Ed25519 public key in PEM: give the publicKey that moneytrail indicators keygen printed (-----BEGIN PUBLIC KEY-----, its line breaks written \\n in JSON)");
  }
  if (key.asymmetricKeyType !== "ed25519") throw new Error(`an ${key.asymmetricKeyType} key: sets are signed with Ed25519 keys (moneytrail indicators keygen)`);
  return key;
}

/** The bytes a signature covers: the set without its signature, as canonical JSON. */
export function signedBytes(set: IndicatorSet): Buffer {
  const { signature: _signature, ...rest } = set;
  return Buffer.from(canonicalJson(rest));
}

/** A private key's public half as trust stores hold it: keygen's entry and public-key's, in one form. */
export function publicKeyPem(privateKey: KeyObject): string {
  return createPublicKey(privateKey).export({ type: "spki", format: "pem" }).toString();
}

export function generateSigningKey(): { publicKeyPem: string; privateKeyPem: string } {
  const { privateKey } = generateKeyPairSync("ed25519");
  return {
    publicKeyPem: publicKeyPem(privateKey),
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  };
}

/**
 * What a file given as a private key holds when it is none: the public half (a PEM, or keygen's entry saved) is the
 * likely mix-up, and named as such.
 */
function notAPrivateKey(text: string): string {
  const give = "give the private key file (-----BEGIN PRIVATE KEY-----)";
  let entry: TrustedKey | undefined;
  try {
    entry = TrustedKey.safeParse(JSON.parse(withoutBom(text))).data;
  } catch {
    entry = undefined;
  }
  if (entry) return `this is one key's trust-store entry (key ${entry.keyId} of ${entry.publisher}), as keygen prints it: it holds the public key, which cannot sign; ${give}`;
  try {
    createPublicKey(text);
    return `this is a public key, not a private key: it is what goes in trust stores, and it cannot sign; ${give}`;
  } catch {
    // OpenSSL's own words ("DECODER routines::unsupported") say nothing to a person
    return "not a private key in PEM (keygen writes one that begins -----BEGIN PRIVATE KEY-----)";
  }
}

function ed25519PrivateKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new Error(notAPrivateKey(pem));
  }
  if (key.asymmetricKeyType !== "ed25519") throw new Error(`the private key is ${key.asymmetricKeyType}; sets are signed with Ed25519 keys (moneytrail indicators keygen)`);
  return key;
}

// the sample publisher's key is in git, so checked out readable by all: it signs the sample set for the demo and tests
export const SAMPLE_KEY_ID = "hotline-sample-2026";
const SAMPLE_KEY = join(SAMPLE_DIR, "keys", `${SAMPLE_KEY_ID}.key.pem`);
/** the sample's own trust store, the one file that may trust the sample key (the demo and tests load it) */
const SAMPLE_TRUST = join(SAMPLE_DIR, "trust.json");
/**
 * The sample key's public half, written here rather than read from the sample (an install may have none), so that a
 * store is refused that trusts it anywhere but in SAMPLE_TRUST; a test checks it against the committed private key.
 */
export const SAMPLE_PUBLIC_KEY = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA+WsChP+HY9rsNFxOdELia7A258qdXd9vpFP8bLyGUbI=\n-----END PUBLIC KEY-----\n";
const SAMPLE_PUBLIC_KEY_DER = createPublicKey(SAMPLE_PUBLIC_KEY).export({ type: "spki", format: "der" }).toString("base64");

/**
 * What `run` warns of at start when MT_TRUST_STORE is SAMPLE_TRUST (through a link too), or undefined: the one store
 * loadTrustStore lets trust the sample key, for the demo, the tests and a trial of the sample, is no store for a
 * member's service. Warned rather than refused, as README's trial of the sample runs it so.
 */
export function sampleTrustWarning(path: string): string | undefined {
  if (!sameFile(path, SAMPLE_TRUST)) return undefined;
  return (
    `MT_TRUST_STORE is the sample's trust store (fixtures/sample/trust.json), which trusts the sample publisher's key ${SAMPLE_KEY_ID}, whose private key is public in this repository: anyone can sign indicator sets that this process takes as that publisher's. ` +
    "Use it only to try the sample; otherwise set MT_TRUST_STORE to your coalition's trust store, the public keys of its publishers (each prints its entry with moneytrail indicators keygen or public-key)"
  );
}

/**
 * Why a private key file is readable by others than its owner (mode & 0o077), as a warning with the chmod to run, or
 * undefined. Not refused, as ssh refuses: the sample key is 0644 in git, and the demo and tests sign with it.
 */
export function keyFileExposure(file: string): string | undefined {
  if (process.platform === "win32") return undefined;
  const mode = statSync(file).mode & 0o777;
  if (!(mode & 0o077)) return undefined;
  const who = [mode & 0o070 && "its group", mode & 0o007 && "others"].filter(Boolean).join(" and ");
  const readable = `warning: the private key ${file} is readable by ${who} (mode ${mode.toString(8).padStart(4, "0")})`;
  if (sameFile(file, SAMPLE_KEY))
    return `${readable}: it is the sample publisher's key from git, which everyone has; sign only the sample set with it, and a real set with a key of your own (indicators keygen)`;
  return `${readable}: whoever can read it can sign sets as your publisher; run chmod 600 ${file}`;
}

/** Whether two paths name one file; false when either is not there (an install without the sample). */
function sameFile(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}

/**
 * The private key of `indicators sign` and `public-key`, refused with its file and what to give instead when it is not
 * one (`undone`: what the command then did not do); a file others can read is warned of (`warn`, stderr by default).
 */
export function loadPrivateKey(file: string, undone: string, warn: (message: string) => void = (m) => process.stderr.write(`${m}\n`)): KeyObject {
  const pem = readTextFile(file);
  let key: KeyObject;
  try {
    key = ed25519PrivateKey(pem);
  } catch (err) {
    throw new ConfigError(file, [{ path: "", message: (err as Error).message }], `Give the private key file that \`moneytrail indicators keygen --private-key-out\` wrote; ${undone}.`);
  }
  // of a key only: a file that is none (the wrong one given) is refused, and it exposes no key
  const exposed = keyFileExposure(file);
  if (exposed) warn(exposed);
  return key;
}

export function signSet(set: IndicatorSet, keyId: string, privateKey: string | KeyObject): IndicatorSet {
  const key = typeof privateKey === "string" ? ed25519PrivateKey(privateKey) : privateKey;
  const unsigned = { ...set, signature: undefined };
  return { ...set, signature: { alg: "ed25519", keyId, value: sign(null, signedBytes(unsigned), key).toString("base64") } };
}

/** `publisher`'s key `keyId` in the store: key ids are each member's own, so two members may use the same one. */
export function trustedKey(store: TrustStore, publisher: string, keyId: string): TrustedKey | undefined {
  return store.keys.find((k) => k.keyId === keyId && k.publisher === publisher);
}

/** A set created outside the key's window (rotation): subscribers refuse it with this key. */
function outsideWindow(key: TrustedKey, set: IndicatorSet): boolean {
  const created = Date.parse(set.created);
  return (!!key.validFrom && created < Date.parse(key.validFrom)) || (!!key.validUntil && created >= Date.parse(key.validUntil));
}

/**
 * Why subscribers holding `store` (the file `storeFile`) would refuse `set` signed with `privateKey` as `keyId`, said
 * to its signer with what to do, or undefined: the key is not the store's for that id and the set's publisher, or is
 * revoked, or the set was created outside its window.
 */
export function signingRefusal(set: IndicatorSet, keyId: string, privateKey: KeyObject, store: TrustStore, storeFile: string): string | undefined {
  const publisher = set.publisher.id;
  const key = trustedKey(store, publisher, keyId);
  if (!key)
    return `${storeFile} has no key ${keyId} of ${publisher} (the set's publisher), so subscribers holding it would refuse the set: give the --key-id of one of ${publisher}'s keys there, or have the entry keygen printed for this key added to subscribers' trust stores`;
  if (!createPublicKey(privateKey).equals(publicKeyOf(key)))
    return `the private key is not key ${keyId} of ${publisher} in ${storeFile} (its public half differs), so subscribers would refuse the signature: give key ${keyId}'s private key file, or the --key-id this private key has in the trust store`;
  if (key.revoked)
    return `key ${keyId} of ${publisher} was revoked at ${key.revoked.at} (${key.revoked.reason}) in ${storeFile}, and subscribers refuse every set it signs: sign with ${publisher}'s new key (moneytrail indicators keygen makes one; subscribers add its entry)`;
  if (outsideWindow(key, set))
    return `set ${set.id} was created ${set.created}, outside key ${keyId}'s window in ${storeFile} (sets created from ${key.validFrom ?? "the start"} until ${key.validUntil ?? "no end"}), so subscribers would refuse it: sign it with the key whose window holds that time, or give the set a created time inside this key's window (as a new version)`;
  return undefined;
}

export type Verification = { ok: true; key: TrustedKey } | { ok: false; reason: string };

export function verifySet(set: IndicatorSet, store: TrustStore): Verification {
  const sig = set.signature;
  // a partner on MISP or another STIX tool cannot sign: the importing member vouches for what it imported
  if (!sig)
    return {
      ok: false,
      reason: `set ${set.id} is not signed: ask ${set.publisher.id} for a signed copy (moneytrail indicators sign); a set you imported from STIX or MISP comes unsigned: sign it with a key of your own that your trust store lists for ${set.publisher.id} (indicators keygen --publisher ${set.publisher.id}, then indicators sign)`,
    };
  // another member's key of that id, when the publisher has none, is named in the refusal below
  const key = trustedKey(store, set.publisher.id, sig.keyId) ?? store.keys.find((k) => k.keyId === sig.keyId);
  if (!key) return { ok: false, reason: `set ${set.id} is signed with key ${sig.keyId}, which is not in the trust store: add ${set.publisher.id}'s public key if you trust it` };
  if (key.publisher !== set.publisher.id)
    return {
      ok: false,
      reason: `key ${sig.keyId} belongs to ${key.publisher}, but set ${set.id} says it is from ${set.publisher.id}: a member signs only its own sets; ask ${set.publisher.id} for the set signed with its own key`,
    };
  if (key.revoked) return { ok: false, reason: `key ${sig.keyId} of ${key.publisher} was revoked at ${key.revoked.at} (${key.revoked.reason}); ask for a set signed with its new key` };
  if (outsideWindow(key, set))
    return {
      ok: false,
      reason: `key ${sig.keyId} signs only sets created from ${key.validFrom ?? "the start"} until ${key.validUntil ?? "now"}; set ${set.id} was created ${set.created}: ask ${set.publisher.id} for the set signed with its key for that time (or add that key to the trust store)`,
    };
  let good: boolean;
  try {
    good = verify(null, signedBytes(set), publicKeyOf(key), Buffer.from(sig.value, "base64"));
  } catch {
    good = false;
  }
  if (!good)
    return {
      ok: false,
      reason: `the signature of set ${set.id} does not match its content: it was changed after signing, or signed with another key than ${sig.keyId}; ask ${set.publisher.id} for a correctly signed copy`,
    };
  return { ok: true, key };
}
