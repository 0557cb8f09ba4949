import { readFileSync } from 'node:fs';
import { REPO } from './paths.js';

/** One instruction: its keyword in capitals, its flags (`--from=build`) and the rest of its text. */
export interface Instruction {
  readonly keyword: string;
  readonly flags: Readonly<Record<string, string>>;
  readonly args: string;
}

/** One build stage: its base image, its name, its instructions after FROM. */
export interface Stage {
  readonly image: string;
  readonly name: string | undefined;
  readonly instructions: readonly Instruction[];
}

/** A COPY: where from (a stage name, or undefined for the build context), its sources and its destination. */
export interface Copy {
  readonly from: string | undefined;
  readonly sources: readonly string[];
  readonly dest: string;
}

/**
 * The Dockerfile's stages, as the builder reads them: comment lines dropped,
 * backslash continuations joined, flags split from arguments.
 */
export function readDockerfile(text = readFileSync(new URL('Dockerfile', REPO), 'utf8')): Stage[] {
  const logical: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!pending && (line === '' || line.startsWith('#'))) continue;
    if (pending && line.startsWith('#')) continue;
    if (line.endsWith('\\')) pending += `${line.slice(0, -1)} `;
    else {
      logical.push(pending + line);
      pending = '';
    }
  }
  const stages: { image: string; name: string | undefined; instructions: Instruction[] }[] = [];
  for (const line of logical) {
    const [, keyword = '', rest = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const flags: Record<string, string> = {};
    let args = rest;
    for (let m = /^--([a-z-]+)=(\S+)\s+/.exec(args); m; m = /^--([a-z-]+)=(\S+)\s+/.exec(args)) {
      flags[m[1]!] = m[2]!;
      args = args.slice(m[0].length);
    }
    if (keyword.toUpperCase() === 'FROM') {
      const [image = '', as, name] = args.split(/\s+/);
      stages.push({ image, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else stages.at(-1)?.instructions.push({ keyword: keyword.toUpperCase(), flags, args });
  }
  return stages;
}

/** The stage's COPY instructions. */
export function copiesOf(stage: Stage): Copy[] {
  return stage.instructions
    .filter((i) => i.keyword === 'COPY')
    .map((i) => {
      const parts = i.args.startsWith('[') ? (JSON.parse(i.args) as string[]) : i.args.split(/\s+/);
      return { from: i.flags.from, sources: parts.slice(0, -1), dest: parts.at(-1)! };
    });
}

/** The JSON (exec) form of CMD or ENTRYPOINT in the stage, or undefined when it is missing or in shell form. */
export function execForm(stage: Stage, keyword: 'CMD' | 'ENTRYPOINT'): string[] | undefined {
  const found = stage.instructions.filter((i) => i.keyword === keyword).at(-1);
  if (!found?.args.startsWith('[')) return undefined;
  return JSON.parse(found.args) as string[];
}

/** A `.dockerignore` line as a regular expression over slash-separated paths, as the builder's pattern matcher reads it. */
function patternRegex(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      i++;
      if (pattern[i + 1] === '/') {
        i++;
        out += '(?:.*/)?';
      } else out += '.*';
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '\\') out += `\\${pattern[++i] ?? ''}`;
    else out += /[.+^${}()|[\]]/.test(c) ? `\\${c}` : c;
  }
  return new RegExp(`^${out}$`);
}

/**
 * Reads `.dockerignore` and answers whether a path of the repository is sent
 * to the builder: the last pattern that matches the path or one of its parent
 * folders decides, and `!` patterns send back what an earlier one left out.
 */
export function buildContext(text = readFileSync(new URL('.dockerignore', REPO), 'utf8')): (path: string) => boolean {
  const rules = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const keep = l.startsWith('!');
      const pattern = (keep ? l.slice(1) : l).replace(/^\/+/, '').replace(/\/+$/, '');
      return { keep, regex: patternRegex(pattern) };
    });
  return (path) => {
    const parts = path.split('/');
    const prefixes = parts.map((_, n) => parts.slice(0, n + 1).join('/'));
    let sent = true;
    for (const rule of rules) if (prefixes.some((p) => rule.regex.test(p))) sent = rule.keep;
    return sent;
  };
}
