// Billing descriptor normalisation, so that "T0K-ALPHA*Clüb 0201234567" and "tok alpha club" compare equal.
// Steps (documented in the README): Unicode NFKD with diacritics removed; lowercase; every run of characters
// other than letters and digits becomes one space; tokens made only of digits are dropped (phone numbers,
// references, which churn on their own); in tokens that mix letters and digits, look-alike digits become letters.
const LEET: Record<string, string> = { "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g" };
const LETTER = /\p{L}/u;

export function normaliseDescriptor(raw: string): string {
  // several rules look at the same descriptor of the same event: the last answer is kept
  if (raw === last.raw) return last.normalised;
  last.normalised = normalise(raw);
  last.raw = raw;
  return last.normalised;
}
const last = { raw: "", normalised: "" };

function normalise(raw: string): string {
  const folded = raw
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    // @ and $ are look-alikes for letters in obfuscated descriptors, not separators
    .replace(/@/g, "a")
    .replace(/\$/g, "s");
  const tokens: string[] = [];
  for (const token of folded.split(/[^\p{L}\p{N}]+/u)) {
    if (!token || !LETTER.test(token)) continue;
    tokens.push(token.replace(/[0-9]/g, (d) => LEET[d] ?? d));
  }
  return tokens.join(" ");
}

/**
 * True when the keyword occurs in the descriptor on word boundaries, whatever separators were put inside it:
 * the keyword (normalised, spaces removed) must equal one token or a run of consecutive tokens joined,
 * so "tok alpha" and "t.o.k.alpha" match the keyword "tokalpha" but "tokalphabet" does not.
 */
export function containsKeyword(normalisedDescriptor: string, compactKeyword: string): boolean {
  return compactKeyword !== "" && keywordRuns(normalisedDescriptor, compactKeyword.length).includes(compactKeyword);
}

/**
 * Every token and run of consecutive tokens joined, from each start until a run reaches `maxLength`: the only
 * strings a keyword of at most that length can equal on word boundaries.
 */
export function keywordRuns(normalisedDescriptor: string, maxLength: number): string[] {
  const tokens = normalisedDescriptor.split(" ");
  const runs: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    let joined = "";
    for (let j = i; j < tokens.length && joined.length < maxLength; j++) {
      joined += tokens[j];
      runs.push(joined);
    }
  }
  return runs;
}

/** A keyword in the form containsKeyword expects. */
export function compactKeyword(raw: string): string {
  return normaliseDescriptor(raw).replace(/ /g, "");
}
