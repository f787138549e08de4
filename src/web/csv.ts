// CSV for people who open it in a spreadsheet: every cell quoted, and a cell that a spreadsheet would run as a
// formula (text starting with =, +, -, @, tab or CR, after OWASP's CSV injection advice) kept as text by a leading
// '. Text from outside (a merchant id is whatever the payments feed carries) must never run on a compliance
// officer's desk.
const FORMULA_START = /^[=+\-@\t\r]/;

/** One cell: null is empty, a string as it is, anything else as JSON. */
function csvCell(v: unknown): string {
  const text = v == null ? "" : typeof v === "string" ? v : JSON.stringify(v);
  return `"${(FORMULA_START.test(text) ? `'${text}` : text).replace(/"/g, '""')}"`;
}

/** A header line and a line per row, each ending in a newline. */
export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return `${header.join(",")}\n${csvLines(rows)}`;
}

/** A line per row, each ending in a newline: the rows of a file written a page at a time after its header. */
export function csvLines(rows: readonly (readonly unknown[])[]): string {
  return rows.map((r) => `${r.map(csvCell).join(",")}\n`).join("");
}
