import { type Document, isMap, isScalar, LineCounter, type Node, parseDocument } from 'yaml';
import type { z } from 'zod';
import { AppError } from './errors.js';

/** A reviewed YAML file that failed validation; each problem reads `file:line: path: what is wrong`. */
export class SourceError extends AppError {
  readonly code = 'source_invalid';
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
  }
}

/** A parsed YAML file that can name the line of any path in it. */
export interface YamlSource {
  readonly data: unknown;
  /** `file:line` of the node at `path` (or of its nearest ancestor that exists). */
  where(path: readonly PropertyKey[]): string;
}

/** Parses YAML, keeping positions; syntax errors and duplicate keys are reported with their lines. */
export function readYaml(text: string, source: string): YamlSource {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: true });
  if (doc.errors.length)
    throw new SourceError(doc.errors.map((e) => `${source}:${e.linePos?.[0]?.line ?? 1}: ${e.message.split('\n')[0]}`));
  return { data: doc.toJS(), where: (path) => `${source}:${lineOf(doc, path, counter)}` };
}

/** Validates a YAML source against a schema; every issue is reported at once, with its line. */
export function validateYaml<S extends z.ZodType>(src: YamlSource, schema: S): z.output<S> {
  const parsed = schema.safeParse(src.data);
  if (parsed.success) return parsed.data;
  throw new SourceError(
    parsed.error.issues.map(
      (issue) => `${src.where(issue.path)}: ${issue.path.length ? issue.path.join('.') : 'file'}: ${issue.message}`,
    ),
  );
}

function lineOf(doc: Document, path: readonly PropertyKey[], counter: LineCounter): number {
  let node: unknown = doc.contents;
  let found = doc.contents as Node | null;
  for (const key of path) {
    if (!node || typeof node !== 'object' || !('items' in node)) break;
    const pair = isMap(node)
      ? node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(key))
      : undefined;
    const next = isMap(node) ? (pair?.value ?? pair?.key) : (node as { items: unknown[] }).items[Number(key)];
    if (!next) break;
    node = next;
    found = next as Node;
  }
  return counter.linePos(found?.range?.[0] ?? 0).line;
}
