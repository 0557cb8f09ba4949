import type { KubeObject } from './store.js';

/** Label selectors: `a=b`, `a==b`, `a!=b`, `a`, `!a`, `a in (x,y)`, `a notin (x)`, comma-joined. */
export function matchesLabels(o: KubeObject, selector: string): boolean {
  const labels = o.metadata.labels ?? {};
  const terms = selector.match(/[^,(]+(\([^)]*\))?/g) ?? [];
  return terms.every((raw) => {
    const t = raw.trim();
    if (!t) return true;
    let m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(t);
    if (m) {
      const values = m[3]!.split(',').map((v) => v.trim());
      const has = m[1]! in labels && values.includes(labels[m[1]!]!);
      return m[2] === 'in' ? has : !has;
    }
    m = /^([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)$/.exec(t);
    if (m) return m[2] === '!=' ? labels[m[1]!] !== m[3] : labels[m[1]!] === m[3];
    if (t.startsWith('!')) return !(t.slice(1) in labels);
    return t in labels;
  });
}

/** Field selectors the fake supports: metadata.name/namespace, involvedObject.*, status.phase. */
export function matchesFields(o: KubeObject, selector: string): boolean {
  return selector
    .split(',')
    .filter(Boolean)
    .every((term) => {
      const m = /^([\w.]+)(==|=|!=)(.*)$/.exec(term.trim());
      if (!m) return false;
      const value = m[1]!.split('.').reduce<any>((v, k) => v?.[k], o);
      const equal = String(value ?? '') === m[3];
      return m[2] === '!=' ? !equal : equal;
    });
}
