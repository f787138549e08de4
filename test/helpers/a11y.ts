// What a screen reader and a keyboard get from a server-rendered page, read from its HTML (no browser here): a small
// parser for the markup our templates write (attributes double-quoted, escaped text), and the WCAG 2.1 AA checks the
// reviewer pages must pass, each failure as a sentence naming the element.

export interface El {
  tag: string;
  attrs: Record<string, string>;
  children: (El | string)[];
  parent?: El;
}

const VOID = new Set(["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"]);
// elements whose end tag a template may leave out (none of ours do, but the parser must not lose its place)
const RAW = new Set(["style", "script"]);

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'", nbsp: "\u00a0" };
const decode = (s: string): string => s.replace(/&(#?\w+);/g, (m, e: string) => ENTITIES[e] ?? (e.startsWith("#") ? String.fromCodePoint(Number(e.slice(1))) : m));

/** The page as a tree; throws on an end tag that closes nothing open (markup a browser would repair silently). */
export function parse(page: string): El {
  const root: El = { tag: "#document", attrs: {}, children: [] };
  let cur = root;
  const re = /<!--.*?-->|<!doctype[^>]*>|<(\/?)([a-zA-Z][\w:-]*)((?:\s+[^\s=>/]+(?:="[^"]*")?)*)\s*(\/?)>/gis;
  let at = 0;
  for (let m = re.exec(page); m; m = re.exec(page)) {
    if (m.index > at) cur.children.push(decode(page.slice(at, m.index)));
    at = re.lastIndex;
    if (!m[2]) continue;
    const tag = m[2].toLowerCase();
    if (m[1]) {
      let open: El | undefined = cur;
      while (open && open.tag !== tag) open = open.parent;
      if (!open?.parent) throw new Error(`</${tag}> at ${m.index} closes nothing open (in <${cur.tag}>)`);
      cur = open.parent;
      continue;
    }
    const attrs = Object.fromEntries([...m[3]!.matchAll(/([^\s=>/]+)(?:="([^"]*)")?/g)].map((a) => [a[1]!.toLowerCase(), decode(a[2] ?? "")]));
    const el: El = { tag, attrs, children: [], parent: cur };
    cur.children.push(el);
    if (RAW.has(tag)) {
      const end = page.toLowerCase().indexOf(`</${tag}>`, at);
      el.children.push(page.slice(at, end));
      at = re.lastIndex = end + tag.length + 3;
    } else if (!VOID.has(tag) && !m[4]) cur = el;
  }
  return root;
}

export function all(root: El, pred: (e: El) => boolean): El[] {
  const out: El[] = [];
  const walk = (e: El) => {
    for (const c of e.children)
      if (typeof c !== "string") {
        if (pred(c)) out.push(c);
        walk(c);
      }
  };
  walk(root);
  return out;
}
export const byTag = (root: El, ...tags: string[]): El[] => all(root, (e) => tags.includes(e.tag));
const ancestors = (e: El): El[] => (e.parent ? [e.parent, ...ancestors(e.parent)] : []);

/** The text a screen reader reads for an element's content (svg <title> included, as it names its parent). */
export function text(e: El): string {
  return content(e).replace(/\s+/g, " ").trim();
}
// the spaces kept until the whole is read: "note<span> for Escalate</span>" reads "note for Escalate"
const content = (e: El): string =>
  e.children.map((c) => (typeof c === "string" ? c : ["style", "script", "input", "select", "textarea"].includes(c.tag) ? "" : content(c))).join("");

/** The accessible name of a control, a link or a button (aria-labelledby, aria-label, label, content), per accname. */
export function nameOf(root: El, e: El): string {
  const ids = e.attrs["aria-labelledby"];
  if (ids) return ids.split(/\s+/).map((id) => text(byId(root, id) ?? { tag: "", attrs: {}, children: [] })).join(" ").trim();
  if (e.attrs["aria-label"]) return e.attrs["aria-label"].trim();
  if (["input", "select", "textarea"].includes(e.tag)) {
    const labels = byTag(root, "label").filter((l) => (e.attrs.id && l.attrs.for === e.attrs.id) || (!l.attrs.for && ancestors(e).includes(l)));
    return labels.map(text).join(" ").trim() || (e.attrs.title ?? "");
  }
  return text(e) || (e.attrs.title ?? "");
}

export const byId = (root: El, id: string): El | undefined => all(root, (e) => e.attrs.id === id)[0];

/** What the checks look at: the page's frame, its form controls, links and buttons, tables, charts. */
export type Check = "page" | "controls" | "links" | "tables" | "charts";

/** What on the page a keyboard or screen reader user is short of, for one check, as sentences; empty when fine. */
export function pageProblems(page: string, check: Check): string[] {
  const root = parse(page);
  const out: string[] = [];
  if (check === "page") pageFrame(root, out);
  if (check === "controls") controls(root, out);
  if (check === "links") links(root, out);
  if (check === "tables") tables(root, out);
  if (check === "charts") charts(root, out);
  return out;
}

function pageFrame(root: El, out: string[]): void {
  const htmlEl = byTag(root, "html")[0];
  if (!htmlEl?.attrs.lang) out.push("<html> has no lang");
  const title = byTag(root, "title").filter((t) => !ancestors(t).some((a) => a.tag === "svg"))[0];
  if (!title || !/\S.* · moneytrail$/.test(text(title))) out.push(`<title> does not name the page: ${title ? text(title) : "none"}`);
  const h1 = byTag(root, "h1");
  if (h1.length !== 1) out.push(`${h1.length} <h1> (one wanted)`);
  let level = 0;
  for (const h of byTag(root, "h1", "h2", "h3", "h4", "h5", "h6")) {
    const n = Number(h.tag[1]);
    if (n > level + 1) out.push(`heading <${h.tag}> "${text(h)}" skips a level after h${level}`);
    level = n;
  }
  if (byTag(root, "main").length !== 1) out.push("no single <main> landmark");
  if (!all(root, (e) => e.tag === "a" && e.attrs.href === "#main" && /skip/i.test(text(e))).length) out.push("no skip-to-content link to #main");
  const header = byTag(root, "header")[0];
  for (const a of header ? byTag(header, "a") : []) if (!ancestors(a).some((x) => x.tag === "nav") && a.attrs.href !== "#main") out.push(`header link "${text(a)}" is not in a <nav>`);
  const ids = all(root, (e) => e.attrs.id !== undefined).map((e) => e.attrs.id!);
  for (const id of new Set(ids.filter((id, i) => ids.indexOf(id) !== i))) out.push(`id "${id}" used twice`);
}

function controls(root: El, out: string[]): void {
  for (const c of byTag(root, "input", "select", "textarea")) {
    if (c.attrs.type === "hidden") continue;
    if (!nameOf(root, c)) out.push(`<${c.tag} name="${c.attrs.name}"> has no label`);
    for (const id of (c.attrs["aria-describedby"] ?? "").split(/\s+/).filter(Boolean)) if (!byId(root, id)) out.push(`<${c.tag} name="${c.attrs.name}"> is described by a missing #${id}`);
  }
  // a screen reader's list of fields reads each by its name alone: two alike ("note", "note") cannot be told apart
  const fields = new Map<string, number>();
  for (const c of byTag(root, "input", "select", "textarea"))
    if (c.attrs.type !== "hidden") fields.set(nameOf(root, c).toLowerCase(), (fields.get(nameOf(root, c).toLowerCase()) ?? 0) + 1);
  for (const [n, k] of fields) if (n && k > 1) out.push(`${k} form fields named "${n}"`);
  for (const e of all(root, (x) => x.attrs.class?.split(" ").includes("error") ?? false)) {
    if (e.attrs.role !== "alert") out.push(`error "${text(e).slice(0, 60)}" is not announced (role="alert")`);
  }
}

function links(root: El, out: string[]): void {
  for (const b of byTag(root, "button", "a")) if (b.tag === "button" || b.attrs.href !== undefined) if (!nameOf(root, b)) out.push(`<${b.tag}> without a name`);
  // links and buttons whose names repeat for different targets say nothing out of context
  const named = new Map<string, Set<string>>();
  for (const a of byTag(root, "a")) {
    const n = nameOf(root, a).toLowerCase();
    named.set(n, (named.get(n) ?? new Set()).add(a.attrs.href ?? ""));
  }
  for (const [n, hrefs] of named) if (hrefs.size > 1) out.push(`${hrefs.size} links named "${n}" go to different places`);
  const buttons = new Map<string, number>();
  for (const b of byTag(root, "button")) buttons.set(nameOf(root, b).toLowerCase(), (buttons.get(nameOf(root, b).toLowerCase()) ?? 0) + 1);
  for (const [n, k] of buttons) if (k > 1) out.push(`${k} buttons named "${n}"`);
  for (const a of byTag(root, "a")) if (/^(next|previous|here|more|click here|#\d+)$/i.test(nameOf(root, a))) out.push(`link "${nameOf(root, a)}" says nothing out of context`);
}

function tables(root: El, out: string[]): void {
  for (const t of byTag(root, "table")) {
    const what = t.attrs.id ? `table #${t.attrs.id}` : "a table";
    if (!byTag(t, "caption").length && !t.attrs["aria-label"] && !t.attrs["aria-labelledby"]) out.push(`${what} has no caption or aria-label`);
    for (const th of byTag(t, "th")) {
      if (!["col", "row"].includes(th.attrs.scope ?? "")) out.push(`${what}: <th> "${text(th)}" has no scope`);
      if (!text(th) && !th.attrs["aria-label"]) out.push(`${what}: an empty <th>`);
    }
  }
}

function charts(root: El, out: string[]): void {
  for (const s of byTag(root, "svg")) {
    if (s.attrs.role !== "img") out.push('an <svg> without role="img"');
    const kids = s.children.filter((c): c is El => typeof c !== "string");
    if (!kids.some((k) => k.tag === "title") || !kids.some((k) => k.tag === "desc")) out.push("an <svg> chart without its own <title> and <desc>");
    if (!nameOf(root, s)) out.push("an <svg> chart without a name");
    // its numbers readable as text: a table right after the picture, in its figure or beside it
    const figure = ancestors(s).find((a) => a.tag === "figure");
    const after = figure?.parent?.children.slice(figure.parent.children.indexOf(figure) + 1).find((c): c is El => typeof c !== "string");
    if (!(figure && byTag(figure, "table").length) && after?.tag !== "table") out.push(`the chart "${nameOf(root, s)}" has no table of its numbers`);
  }
  // a legend's colour swatch says nothing to a screen reader but "black square": hidden from it, the series' name stays
  for (const e of all(root, (x) => x.children.some((c) => typeof c === "string" && /[■●▲◆]/.test(c))))
    if (![e, ...ancestors(e)].some((a) => a.attrs["aria-hidden"] === "true")) out.push(`a swatch "${text(e)}" is read aloud`);
}

// Contrast (WCAG 2.1, 1.4.3): relative luminance of sRGB colours
const hex = (c: string): [number, number, number] => {
  const h = c.replace("#", "");
  const f = h.length === 3 ? [...h].map((x) => x + x) : [h.slice(0, 2), h.slice(2, 4), h.slice(4, 6)];
  return f.map((x) => parseInt(x, 16) / 255) as [number, number, number];
};
const lum = (c: string): number => {
  const [r, g, b] = hex(c).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};
export const contrast = (a: string, b: string): number => {
  const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p) as [number, number];
  return (x + 0.05) / (y + 0.05);
};

/** The rules of a stylesheet, each selector with its declarations (no nesting but @media, which is skipped). */
export function cssRules(css: string): { selector: string; decl: Record<string, string> }[] {
  const flat = css.replace(/@media[^{]*\{(?:[^{}]*\{[^}]*\})*[^}]*\}/g, "");
  return [...flat.matchAll(/([^{}]+)\{([^}]*)\}/g)].flatMap((m) =>
    m[1]!.split(",").map((selector) => ({
      selector: selector.trim(),
      decl: Object.fromEntries(m[2]!.split(";").filter((d) => d.includes(":")).map((d) => [d.slice(0, d.indexOf(":")).trim(), d.slice(d.indexOf(":") + 1).trim()])),
    })),
  );
}
