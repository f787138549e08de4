// On the /audit page each filter's explanation (what the token id finds, that a case's rows include who opened it)
// stood after its field, outside the label: a screen reader moving from field to field read "API token id (12 hex
// digits), edit text" and never what it finds. Each explanation is now the field's description (aria-describedby).
import { describe, expect, it } from "vitest";
import { all, byId, parse, text } from "./helpers/a11y.js";
import { bearer, embeddedWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();

describe("the /audit page's filters", { timeout: 60_000 }, () => {
  it("are each described by what they find", async () => {
    const { auth, app } = await openWeb();
    const root = parse((await app.inject({ method: "GET", url: "/audit", headers: await bearer(auth, "audra", "auditor") })).body);
    const form = all(root, (e) => e.tag === "form" && e.attrs.action === "/audit")[0]!;
    const described = Object.fromEntries(
      all(form, (e) => ["input", "select"].includes(e.tag)).map((e) => [e.attrs.name, (e.attrs["aria-describedby"] ?? "").split(" ").filter(Boolean).map((id) => text(byId(root, id) ?? { tag: "", attrs: {}, children: [] })).join(" ")]),
    );
    expect(described.token).toMatch(/^every action taken with that token/);
    expect(described.actor).toMatch(/^that user's rows/);
    expect(described.since).toMatch(/^rows from that time on/);
    expect(described.case).toMatch(/^that case's rows: who opened it/);
    expect(described.action).toMatch(/^the rows of those actions only/);
  });
});
