// decode() validates with ajv's code compiled from the schema's JSON Schema and asks zod only about what ajv
// refuses. These tests hold the two to one verdict: every event of the generated population, and each of them
// with every field in turn removed, mistyped, too long, malformed or given an unknown neighbour.
import { afterEach, describe, expect, it, vi } from "vitest";
import { decode } from "../src/decode/decode.js";
import { Event } from "../src/decode/events.js";
import { generatePopulation } from "../src/fixtures/generate.js";

const hash = `sha256:${"ab".repeat(32)}`;
const PROBES: unknown[] = [
  undefined, // the field removed
  null,
  true,
  0,
  -1,
  1.5,
  2 ** 53,
  "",
  "x",
  "x".repeat(257),
  "\u{1F600}", // 2 UTF-16 units, 1 code point: the shortest string is counted in code points
  "\u{1F600}".repeat(200), // 400 UTF-16 units, 200 code points
  "\u{1F600}".repeat(257),
  hash,
  hash.toUpperCase(), // read in lower case: ajv's code refuses it, zod rewrites it
  `sha256:${"AB".repeat(32)}`,
  "DE",
  "EUR",
  "1234",
  "settled",
  "2024-02-29T00:00:00Z",
  "2023-02-29T00:00:00Z",
  "2024-01-01T00:00:00.123+01:00",
  "2024-01-01t00:00:00z", // UTC in other spellings, read as T and Z
  "2024-01-01T00:00:00+00:00",
  "2024-01-01T00:00:00.5-00:00",
  "2024-01-01T00:00:00",
  "visa",
  "MC", // card networks' other names, read as one name
  "Master Card",
  "constructor",
  [],
  ["x"],
  [1],
  [hash],
  Array.from({ length: 257 }, () => hash),
  {},
  { x: 1 },
];

/** Every path into an event: each key of each object, each array and its first element. */
function paths(v: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(v)) return v.length ? [...paths(v[0], [...at, 0])] : [];
  if (v === null || typeof v !== "object") return [];
  return Object.entries(v).flatMap(([k, x]) => [[...at, k], ...paths(x, [...at, k])]);
}

function withValue(event: unknown, path: (string | number)[], value: unknown): unknown {
  const copy = structuredClone(event) as Record<string | number, unknown>;
  let o = copy;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (value === undefined && !Array.isArray(o)) delete o[last];
  else o[last] = value;
  return copy;
}

/** decode's verdict and event against zod's on the same text. */
function agree(event: unknown): boolean {
  const text = JSON.stringify(event);
  const z = Event.safeParse(JSON.parse(text));
  const d = decode(text);
  expect({ text, ok: d.ok }).toEqual({ text, ok: z.success });
  if (d.ok && z.success) expect(d.event).toStrictEqual(z.data);
  return z.success;
}

/** A few events of each type, those with the most fields first. */
function specimens(): Event[] {
  const byType = new Map<string, Event[]>();
  for (const e of generatePopulation({ seed: 5, merchants: 400, events: 6000 })) byType.set(e.type, [...(byType.get(e.type) ?? []), e]);
  const size = (e: Event) => paths(e).length;
  return [...byType.values()].flatMap((es) => es.sort((a, b) => size(b) - size(a)).slice(0, 3));
}

describe("decode against zod", () => {
  afterEach(() => vi.restoreAllMocks());
  const events = specimens();

  it("covers every event type with its optional fields", () => {
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(["merchant", "transaction", "chargeback", "site_observation"]));
    const fields = new Set(events.flatMap((e) => paths(e).map((p) => p.filter((k) => typeof k === "string").join("."))));
    for (const f of ["websites", "principals", "infrastructure.ips", "card.token", "card.bin", "checkout.referrerUrl", "linkedUrls", "reasonCode"]) expect(fields).toContain(f);
  });

  it("accepts the population's events without asking zod, and returns what zod returns", () => {
    const zod = vi.spyOn(Event, "safeParse");
    const all = [...generatePopulation({ seed: 5, merchants: 400, events: 6000 })];
    for (const e of all) {
      const d = decode(JSON.stringify({ ...e, addedByANewerProducer: { x: 1 } }));
      expect(d).toEqual({ ok: true, event: e });
    }
    expect(zod).not.toHaveBeenCalled();
  });

  it("gives zod's verdict for every field removed, mistyped, out of bounds or malformed", () => {
    let accepted = 0;
    let refused = 0;
    for (const e of events)
      for (const p of paths(e))
        for (const v of PROBES) {
          if (agree(withValue(e, p, v))) accepted++;
          else refused++;
        }
    // both verdicts are exercised, not only refusals
    expect(accepted).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(1000);
  });

  it("strips unknown keys at every level, as zod does", () => {
    for (const e of events)
      for (const p of paths(e)) {
        const at = [...p.slice(0, -1), "unknownField"];
        agree(withValue(e, at, { nested: [1, 2] }));
      }
  });

  it("refuses a type it does not know and an event without a type, with zod's reason", () => {
    for (const bad of [{ ...events[0], type: "refund" }, { ...events[0], type: undefined }, [], "text", 42]) {
      agree(bad);
      expect(decode(JSON.stringify(bad))).toMatchObject({ ok: false, kind: "schema", reason: expect.stringMatching(/^schema: /) });
    }
  });
});
