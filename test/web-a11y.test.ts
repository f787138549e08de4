// The reviewer pages for a compliance reviewer who works with a screen reader (NVDA, JAWS) and the keyboard only;
// banks buy against WCAG 2.1 AA. No browser runs here, so each page's HTML is parsed and checked (test/helpers/a11y.ts):
// language, a title naming the page, one h1 and headings in order, a skip link and landmarks, a label for every
// control, errors announced and tied to their fields, tables with a caption and scoped headers, links and buttons
// whose names say where they go out of context, charts named and described; and the stylesheet's text colours at
// 4.5:1 or more, with the focus ring left alone.
import { beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { CONSOLE } from "../src/cases/store.js";
import { filesOf, recordVersion } from "../src/rules/history.js";
import { loadRuleSet } from "../src/rules/ruleset.js";
import { STYLE } from "../src/web/html.js";
import { all, byTag, contrast, cssRules, pageProblems, parse, text, type Check } from "./helpers/a11y.js";
import { caseAlert, linkedToFlaggedAlert, record, recordCase } from "./helpers/cases.js";
import { defaultRulesCopies } from "./helpers/rules.js";
import { seedReportCases, REPORT_QUERY } from "./helpers/report-cases.js";
import { bearer, csrfOf, decisionForm, embeddedWeb, sessionOf } from "./helpers/web.js";

const openWeb = embeddedWeb();
const rulesDir = defaultRulesCopies("web-a11y");

const backgroundOf = (decl: Record<string, string>): string | undefined => (decl.background ?? decl["background-color"])?.split(" ")[0];

/** Each page a role reaches, as its HTML: the ones with forms also in their refused state. */
async function pages(): Promise<Record<string, string>> {
  const dir = rulesDir();
  const { db, auth, app } = await openWeb({ rulesDir: dir });
  const rs = loadRuleSet(dir);
  await recordVersion(db, rs, filesOf(rs), "directory");
  // a case with evidence addresses (two reveal buttons), an activity chart, and a second page of the queue
  const linked = linkedToFlaggedAlert("a11y-1", "https://flagged.example/a");
  const activity = [{ day: "2026-02-27", sales: 4, amountMinor: 4000, chargebacks: 1 }, { day: "2026-03-01", sales: 9, amountMinor: 9000, chargebacks: 2 }];
  const caseId = await recordCase(db, { ...linked, merchantId: "acq-test:M-a11y", context: { events: linked.context?.events ?? [], activity } });
  await record(db, ...Array.from({ length: 30 }, (_, i) => caseAlert({ alertId: `a11y-q-${i}`, merchantId: `acq-test:M-${200 + i}`, score: 70 - i, severity: i % 2 ? "critical" : "medium" })));
  await seedReportCases(db);
  await auth.addUser(CONSOLE, { username: "ada", role: "admin", password: "ada-password-long" });
  const rev = await bearer(auth, "rev");
  // the reviewer's own password, so that a session reaches the queue
  await app.inject({ method: "POST", url: "/api/me/password", headers: rev, payload: { currentPassword: "rev-password-long", newPassword: "rev-password-longer" } });
  const rev2 = await bearer(auth, "rev2");
  const get = async (url: string, headers: Record<string, string>, status = 200) => {
    const r = await app.inject({ method: "GET", url, headers });
    expect(r.statusCode, `${url}: ${r.body.slice(-600)}`).toBe(status);
    return r.body;
  };
  // a signed-in reviewer whose decision is refused (no reference), as the browser sends the form
  const signIn = await app.inject({ method: "POST", url: "/login", payload: { username: "rev", password: "rev-password-longer" } });
  const session = sessionOf(signIn);
  const casePage = await get(`/cases/${caseId}`, session);
  const post = (url: string, form: Record<string, string>) =>
    app.inject({ method: "POST", url, headers: { ...session, "content-type": "application/x-www-form-urlencoded" }, payload: new URLSearchParams(form).toString() });
  // a decision refused for a field (no reason), as the browser sends it past the required attribute
  const refused = await post(`/cases/${caseId}/action`, { ...decisionForm(casePage, "dismiss"), reason: "", note: "" });
  expect(refused.body).toContain('role="alert"');
  const tuner = await bearer(auth, "tom", "rule-tuner");
  const rulesPage = await get("/rules", tuner);
  return {
    login: await get("/login", {}),
    "login refused": (await app.inject({ method: "POST", url: "/login", payload: { username: "rev", password: "wrong-password-long" } })).body,
    password: await get("/password", session),
    "password refused": (await post("/password", { _csrf: csrfOf(casePage), currentPassword: "rev-password-longer", newPassword: "a-new-password-long", confirmPassword: "another-password-long" })).body,
    queue: await get("/cases?pageSize=10&page=2", rev2),
    "queue, first page": await get("/cases?pageSize=10", rev2),
    case: casePage,
    "case refused": refused.body,
    "case print": await get(`/cases/${caseId}/print`, rev2),
    rules: rulesPage,
    // a save refused for its content: the form is shown again with the tuner's text
    "rules refused": (await app.inject({ method: "POST", url: "/rules/sites.yaml", headers: tuner, payload: { content: "rules:\n  - id: broken\n    kind: no-such-kind\n", base: /action="\/rules\/sites\.yaml">.*?name="base" value="([^"]*)"/s.exec(rulesPage)![1]!, note: "test" } })).body,
    report: await get(`/report?from=${REPORT_QUERY.from}&to=${REPORT_QUERY.to}`, rev2),
    admin: await get("/admin", await bearer(auth, "adm", "admin")),
    // the trail as a table, paged (a newer and an older page), and refused for a filter
    ...(await (async (aud) => {
      const first = await get("/audit?limit=3", aud);
      const older = /href="(\/audit\?before=\d+&amp;limit=3)"/.exec(first)![1]!.replace(/&amp;/g, "&");
      return { audit: first, "audit, older rows": await get(older, aud), "audit refused": await get("/audit?since=yesterday&actor=rev", aud, 400) };
    })(await bearer(auth, "aud", "auditor"))),
    "not found": await get("/no-such-page", rev2, 404),
    "not allowed": await get("/admin", rev2, 403),
  };
}

describe("the reviewer pages with a screen reader and a keyboard", { timeout: 120_000 }, () => {
  let rendered: Record<string, string>;
  beforeAll(async () => {
    rendered = await pages();
  }, 120_000);
  const problems = (check: Check) => Object.entries(rendered).flatMap(([name, page]) => pageProblems(page, check).map((p) => `${name}: ${p}`));

  it("have a language, a title naming the page, one h1, headings in order, a skip link, <main>, and the header's links in a <nav>", () => {
    expect(problems("page")).toEqual([]);
  });
  it("label every form control", () => {
    expect(problems("controls")).toEqual([]);
  });
  it("name links and buttons so that they make sense out of context (a list of links, the tab order)", () => {
    expect(problems("links")).toEqual([]);
  });
  it("caption every table and scope its header cells", () => {
    expect(problems("tables")).toEqual([]);
  });
  it("title and describe each chart, with its numbers in a table", () => {
    expect(problems("charts")).toEqual([]);
  });

  it("announce a refused form's error and tie it to the form's fields, so that a screen reader reads it with them", () => {
    const described = (page: string, names: string[], within?: string) => {
      const root = parse(page);
      const error = all(root, (e) => e.attrs.role === "alert")[0];
      expect(error?.attrs.id, "the error has an id to be referred to").toBeTruthy();
      // the form: a case's decision by its data-action (its part of the case's one form), a rules file's by its address
      const scope = within ? all(root, (e) => e.attrs["data-action"] === within || (e.tag === "form" && e.attrs.action === within))[0]! : root;
      return names.map((n) => [n, all(scope, (e) => e.attrs.name === n && e.attrs.type !== "hidden")[0]?.attrs["aria-describedby"] === error!.attrs.id]);
    };
    expect(described(rendered["login refused"]!, ["username", "password"])).toEqual([["username", true], ["password", true]]);
    expect(described(rendered["password refused"]!, ["currentPassword", "newPassword", "confirmPassword"]).every(([, d]) => d)).toBe(true);
    expect(described(rendered["case refused"]!, ["reason"], "dismiss")).toEqual([["reason", true]]);
    // the comment, the decision's note: by its hint and the error
    expect(all(parse(rendered["case refused"]!), (e) => e.attrs.name === "body")[0]?.attrs["aria-describedby"]).toBe(`comment-hint ${all(parse(rendered["case refused"]!), (e) => e.attrs.role === "alert")[0]!.attrs.id}`);
    expect(described(rendered["rules refused"]!, ["content", "note"], "/rules/sites.yaml")).toEqual([["content", true], ["note", true]]);
    // the trail's filters: the refused one is described by the error beside its hint, the others by their hints
    const audit = parse(rendered["audit refused"]!);
    const field = (name: string) => all(audit, (e) => e.attrs.name === name)[0]?.attrs["aria-describedby"];
    expect([field("since"), field("actor")]).toEqual([`${all(audit, (e) => e.attrs.role === "alert")[0]!.attrs.id} since-hint`, "actor-hint"]);
    // the other decisions were not refused: the error is not their fields'
    expect(described(rendered["case refused"]!, ["assignee"], "handover")).toEqual([["assignee", false]]);
  });

  it("say a severity in words where its colour shows it", () => {
    const sev = Object.values(rendered).flatMap((page) => all(parse(page), (e) => /\bsev-\w+/.test(e.attrs.class ?? "")));
    expect(sev.length).toBeGreaterThan(0);
    expect(sev.filter((e) => text(e) !== /\bsev-(\w+)/.exec(e.attrs.class!)![1]).map((e) => `${e.attrs.class}: "${text(e)}"`)).toEqual([]);
  });

  it("draw the charts' bars and lines at 3:1 or more against their white ground, and their text at 4.5:1", () => {
    const low: string[] = [];
    for (const [name, page] of Object.entries(rendered))
      for (const svg of byTag(parse(page), "svg"))
        for (const e of all(svg, (x) => ["rect", "polyline", "line", "text"].includes(x.tag))) {
          const colour = e.tag === "text" ? (e.attrs.fill ?? "#000") : (e.attrs.fill ?? e.attrs.stroke);
          if (!colour || colour === "none") continue;
          // the axis is a guide, not a value: bars, lines and text carry the numbers
          if (e.tag === "line") continue;
          const c = contrast(colour, "#fff");
          if (c < (e.tag === "text" ? 4.5 : 3)) low.push(`${name}: <${e.tag}> ${colour} on #fff is ${c.toFixed(2)}:1`);
        }
    expect([...new Set(low)]).toEqual([]);
  });

  it("write text in the stylesheet's colours at 4.5:1 or more against its background, and keep the focus ring", () => {
    const rules = cssRules(STYLE);
    const body = rules.find((r) => r.selector === "body")!.decl;
    const page = { color: body.color!, background: body.background! };
    const low: string[] = [];
    for (const r of rules) {
      const color = r.decl.color;
      if (!color && !backgroundOf(r.decl)) continue;
      // the text's colour on the rule's background, or its container's (header a: on the header's); where neither
      // sets one, on what a page puts around it (white tables and sections as well as the page's own background)
      const outer = r.selector.includes(" ") ? rules.find((x) => x.selector === r.selector.split(" ")[0]) : undefined;
      const bg = backgroundOf(r.decl) ?? (outer && backgroundOf(outer.decl));
      for (const under of bg ? [bg] : [page.background, "#fff"]) {
        const c = contrast(color ?? page.color, under);
        if (c < 4.5) low.push(`${r.selector}: ${color ?? page.color} on ${under} is ${c.toFixed(2)}:1`);
      }
    }
    expect(low).toEqual([]);
    expect(STYLE).not.toMatch(/outline\s*:\s*(none|0)/);
    expect(STYLE).toMatch(/:focus-visible\{[^}]*outline:/);
  });
});
