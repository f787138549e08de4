// Keys given twice in one mapping of a YAML or JSON text (a rule file, a labels file): the YAML parser refuses them
// without naming the key or its first place, and JSON.parse silently keeps only the last. Found with a parse that
// keeps both keys and their positions (JSON is YAML).
import { LineCounter, isMap, isScalar, isSeq, parseDocument } from "yaml";
import { formatPath, type ConfigIssue } from "../lib/errors.js";

/** Each key given twice, at its second place, naming both lines; `consequence` follows: what the duplicate does. */
export function duplicateKeys(text: string, consequence: string): ConfigIssue[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false });
  const issues: ConfigIssue[] = [];
  const walk = (node: unknown, path: (string | number)[]): void => {
    if (isSeq(node)) node.items.forEach((item, i) => walk(item, [...path, i]));
    if (!isMap(node)) return;
    const firstLine = new Map<unknown, number>();
    for (const pair of node.items) {
      if (!isScalar(pair.key)) continue;
      const key = pair.key.value;
      const { line, col } = lines.linePos(pair.key.range![0]);
      const first = firstLine.get(key);
      if (first === undefined) firstLine.set(key, line);
      else issues.push({ path: formatPath([...path, String(key)]), line, col, message: `given twice, at lines ${first} and ${line}: ${consequence}` });
      walk(pair.value, [...path, String(key)]);
    }
  };
  walk(doc.contents, []);
  return issues;
}
