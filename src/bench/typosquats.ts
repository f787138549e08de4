// npx tsx src/bench/typosquats.ts [seed] — how often the ASCII typosquat reading (README "Look-alike hosts") marks an
// honest host, and how often it finds a host typed from a listed name, by kind of typo. Not a timing: counts only.
//   1. the population stream (generatePopulation, seed 7, 20k merchants, 200k events) against its own indicator set:
//      every distinct address of its events, none built as a look-alike, so each typed mark is a false positive;
//   2. a synthetic population of shop names as people name shops (one word, two words with and without a hyphen, over
//      a vocabulary of everyday words, each name under one to three of the reserved suffixes), with 300 of its
//      names listed (200 as domain entries, 100 as url entries' hosts): every other name is honest, so a mark is a
//      false positive; and variants typed from each listed name, by kind, for the true positives; and the same with
//      the listed domains as domain-sha256 entries, read by hash.
// Prints one JSON line last.
import { IndicatorIndex } from "../indicators/index.js";
import { FORMAT, type IndicatorEntry } from "../indicators/schema.js";
import { generatePopulation, populationIndicators } from "../fixtures/generate.js";
import { Rng } from "../fixtures/random.js";
import { sha256Tagged } from "../lib/url.js";

const AT = Date.parse("2026-03-15T00:00:00Z");
const seed = Number(process.argv[2] ?? 7);

const typedMarks = (index: IndicatorIndex, url: string) => index.matchLookAlikes(url, AT).filter((m) => m.typed);

// 1. the population stream
function populationStream(): { urls: number; marked: number; examples: string[] } {
  const index = new IndicatorIndex();
  index.add(populationIndicators(seed));
  const urls = new Set<string>();
  for (const e of generatePopulation({ seed, merchants: 20_000, events: 200_000, nearLineShare: 0.08 }))
    for (const u of JSON.stringify(e).match(/https?:\/\/[^"]+/g) ?? []) urls.add(u);
  const examples: string[] = [];
  let marked = 0;
  for (const u of urls) {
    const m = typedMarks(index, u);
    if (m.length === 0) continue;
    marked++;
    if (examples.length < 10) examples.push(`${u} -> ${m.map((x) => x.listed).join(",")}`);
  }
  return { urls: urls.size, marked, examples };
}

// 2. shop names; the words are everyday ones, none naming anything a list holds
const WORDS = (
  "amber birch cedar dune elm fern harbor iris juniper kestrel linden maple nettle oak pine quill rowan sage tide " +
  "umber vale willow yarrow zephyr alder bay cove dale ember flint glade heath ivy jade knoll lark marsh north opal " +
  "pebble quartz reed slate thistle upland violet wren yew acorn brook clover dawn echo fjord garnet hazel inlet " +
  "jasper kelp lagoon grocer market pantry electronics gadgets circuits bistro kitchen diner goods supply crafts " +
  "hotel inn lodge books pages readers taxi cabs rides apparel threads outfitters pharmacy apothecary chemist " +
  "sports outdoor cycles nova pixel star moon rivet frost tidal lumen orbit play games arcade credits quest forge " +
  "bakery bread butter candle cellar cider coffee copper corner cottage craft daily delta dream eagle east fabric " +
  "farm field fish flower fresh garden gallery gift golden green grove hall happy harvest haven hill home honey " +
  "house island lake lane light lime lion little lucky main meadow mill mint modern motor mountain natural nest " +
  "noble ocean olive orchard paper park pearl pet photo planet plaza prime print pure rain red river road rock rose " +
  "royal salt sea shell shore silver simple smart snow south spice spring square stone story studio summer sun " +
  "sweet tea tech tiny tower town trail tree urban valley village vine vintage water west white wild wine wood " +
  "wool world yard yellow zen bell blue bright cloud coast crown field fox glass hope jewel key leaf loft mall " +
  "mirror net oasis palm peak point pro smile spark tailor toy trade travel true wave wheel wing wise"
)
  .split(" ")
  .filter((w, i, all) => all.indexOf(w) === i);
const SUFFIXES = ["example", "test", "invalid"];

interface Name {
  label: string;
  suffixes: string[];
}

function shopNames(rng: Rng): Name[] {
  const labels = new Set<string>();
  for (const a of WORDS) {
    if (a.length >= 4) labels.add(a);
    for (const b of WORDS) {
      if (a === b) continue;
      // not every pair is a shop: about one in four, written with a hyphen or without
      const u = rng.next();
      if (u < 0.125) labels.add(`${a}-${b}`);
      else if (u < 0.25) labels.add(`${a}${b}`);
    }
  }
  // a name under one suffix, some under two or three (the same owner or not: an honest site all the same)
  return [...labels].map((label) => {
    const first = rng.int(0, 2);
    const suffixes = [SUFFIXES[first]!];
    for (const s of SUFFIXES) if (s !== suffixes[0] && rng.chance(0.15)) suffixes.push(s);
    return { label, suffixes };
  });
}

const LETTERS = "abcdefghijklmnopqrstuvwxyz";
const KEY_ROWS = ["qwertyuiop", "asdfghjkl", "zxcvbnm"];
// each kind of typo: a label typed from the listed one, or null where the kind does not apply
const VARIANTS: Record<string, (label: string, rng: Rng) => string | null> = {
  "hyphen dropped": (l) => (l.includes("-") ? l.replaceAll("-", "") : null),
  "hyphen added": (l, r) => {
    const i = r.int(2, l.length - 2);
    return l[i - 1] === "-" || l[i] === "-" ? null : `${l.slice(0, i)}-${l.slice(i)}`;
  },
  "1 for l": (l) => (l.includes("l") ? l.replace("l", "1") : null),
  "0 for o": (l) => (l.includes("o") ? l.replace("o", "0") : null),
  "rn for m": (l) => (l.includes("m") ? l.replace("m", "rn") : null),
  "vv for w": (l) => (l.includes("w") ? l.replace("w", "vv") : null),
  "i for l": (l) => (l.includes("l") ? l.replace("l", "i") : null),
  "a letter doubled": (l, r) => {
    const i = r.int(0, l.length - 1);
    return l[i] === "-" ? null : l.slice(0, i + 1) + l.slice(i);
  },
  "a letter dropped": (l, r) => {
    const i = r.int(0, l.length - 1);
    return l[i] === "-" ? null : l.slice(0, i) + l.slice(i + 1);
  },
  "a letter added": (l, r) => {
    const i = r.int(0, l.length);
    const c = LETTERS[r.int(0, 25)]!;
    // a double is "a letter doubled"
    return c === l[i] || c === l[i - 1] ? null : l.slice(0, i) + c + l.slice(i);
  },
  "two letters swapped": (l, r) => {
    const i = r.int(0, l.length - 2);
    return l[i] === l[i + 1] || l[i] === "-" || l[i + 1] === "-" ? null : l.slice(0, i) + l[i + 1] + l[i] + l.slice(i + 2);
  },
  "a letter replaced": (l, r) => {
    const i = r.int(0, l.length - 1);
    const c = LETTERS[r.int(0, 25)]!;
    return l[i] === "-" || c === l[i] ? null : l.slice(0, i) + c + l.slice(i + 1);
  },
  "a neighbouring key": (l, r) => {
    const i = r.int(0, l.length - 1);
    const row = KEY_ROWS.find((k) => k.includes(l[i]!));
    if (!row) return null;
    const at = row.indexOf(l[i]!);
    const c = row[at + (r.chance(0.5) ? 1 : -1)];
    return c ? l.slice(0, i) + c + l.slice(i + 1) : null;
  },
  "another suffix": () => "",
};

function shopPopulation(rng: Rng) {
  const names = shopNames(rng);
  rng.shuffle(names);
  const listedDomains = names.slice(0, 200);
  const listedPages = names.slice(200, 300);
  const honest = names.slice(300);
  const entries: IndicatorEntry[] = [
    ...listedDomains.map((n, i): IndicatorEntry => ({ id: `d-${i}`, kind: "domain", value: `${n.label}.${n.suffixes[0]}`, confidence: 90 })),
    ...listedPages.map((n, i): IndicatorEntry => ({ id: `u-${i}`, kind: "url", value: `https://${n.label}.${n.suffixes[0]}/album/${i}`, confidence: 90 })),
  ];
  const index = new IndicatorIndex();
  index.add({ format: FORMAT, id: "shops", publisher: { id: "member:bench" }, version: 1, created: "2026-01-01T00:00:00Z", entries });
  // the same names, the domains as domain-sha256 entries (read by hash: typedOrigins, other suffixes, a letter added)
  const hashedIndex = new IndicatorIndex();
  hashedIndex.add({
    format: FORMAT,
    id: "shops-hashed",
    publisher: { id: "member:bench" },
    version: 1,
    created: "2026-01-01T00:00:00Z",
    entries: entries.map((e) => (e.kind === "domain" ? { ...e, kind: "domain-sha256", value: sha256Tagged(e.value) } : e)),
  });

  // a listed name's other suffixes are its own (listed) site's, or another owner's: not counted as honest
  const listedLabels = new Set([...listedDomains, ...listedPages].map((n) => n.label));
  let hosts = 0;
  let marked = 0;
  let hashedMarked = 0;
  const examples: string[] = [];
  for (const n of honest)
    for (const s of n.suffixes) {
      hosts++;
      const url = `https://${n.label}.${s}/`;
      if (typedMarks(hashedIndex, url).some((x) => x.ref.kind === "domain-sha256")) hashedMarked++;
      const m = typedMarks(index, url).concat(typedMarks(index, `${url}album/1`));
      if (m.length === 0) continue;
      marked++;
      if (examples.length < 40) examples.push(`${n.label}.${s} -> ${[...new Set(m.map((x) => x.listed))].join(",")}`);
    }

  // true positives: one variant of each kind per listed name
  const found: Record<string, { domain: [number, number]; page: [number, number]; hashed: [number, number] }> = {};
  for (const [kind, make] of Object.entries(VARIANTS)) {
    const row = (found[kind] = { domain: [0, 0], page: [0, 0], hashed: [0, 0] });
    const tryIt = (n: Name, id: string, page: string, into: [number, number], hashed?: [number, number]) => {
      const label = make(n.label, rng);
      if (label === null || listedLabels.has(label)) return;
      const suffix = kind === "another suffix" ? SUFFIXES.find((s) => !n.suffixes.includes(s)) : n.suffixes[0];
      if (!suffix) return;
      into[1]++;
      const host = `${label || n.label}.${suffix}`;
      if (typedMarks(index, `https://${host}${page}`).some((m) => m.ref.id === id)) into[0]++;
      if (!hashed) return;
      hashed[1]++;
      if (typedMarks(hashedIndex, `https://${host}${page}`).some((m) => m.ref.id === id)) hashed[0]++;
    };
    listedDomains.forEach((n, i) => tryIt(n, `d-${i}`, "/", row.domain, row.hashed));
    listedPages.forEach((n, i) => tryIt(n, `u-${i}`, `/album/${i}`, row.page));
  }
  return { names: names.length, honestHosts: hosts, marked, hashedMarked, examples, found };
}

const stream = populationStream();
const shops = shopPopulation(new Rng(seed));
const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(2)}%` : "–");
console.log(`population stream (seed ${seed}): ${stream.marked} of ${stream.urls} distinct addresses marked as typosquats (${pct(stream.marked, stream.urls)})`);
for (const e of stream.examples) console.log(`  ${e}`);
console.log(`shop names: ${shops.names} names, 300 listed; ${shops.marked} of ${shops.honestHosts} honest hosts marked (${pct(shops.marked, shops.honestHosts)})`);
for (const e of shops.examples) console.log(`  ${e}`);
console.log(`  with the listed domains as domain-sha256 entries: ${shops.hashedMarked} of ${shops.honestHosts} marked by a hash (${pct(shops.hashedMarked, shops.honestHosts)})`);
console.log("found, by kind of typo:  domain entries   url entries' hosts   domain-sha256 entries");
const cell = (c: [number, number]) => `${`${c[0]}/${c[1]}`.padStart(8)} ${pct(...c).padStart(7)}`;
for (const [kind, { domain, page, hashed }] of Object.entries(shops.found)) console.log(`  ${kind.padEnd(22)} ${cell(domain)}   ${cell(page)}   ${cell(hashed)}`);
console.log(
  JSON.stringify({ seed, stream: { urls: stream.urls, marked: stream.marked }, shops: { honestHosts: shops.honestHosts, marked: shops.marked, hashedMarked: shops.hashedMarked, found: shops.found } }),
);
