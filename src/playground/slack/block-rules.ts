/**
 * Slack's rules for blocks that the Block Kit schema leaves out (see the
 * Slack test data's README): at most `maxBlocks` blocks (50 in a message, 100
 * in a view), unique `block_id`s and `action_id`s, one table, 12,000
 * characters of markdown. Returns the problems, empty when there are none.
 */
export function blockRuleProblems(blocks: unknown[], maxBlocks: number): string[] {
  const problems: string[] = [];
  if (blocks.length > maxBlocks) problems.push(`${blocks.length} blocks; at most ${maxBlocks} are allowed`);
  const blockIds = new Set<string>();
  const actionIds = new Set<string>();
  let tables = 0;
  let markdownChars = 0;
  const walk = (node: unknown, isBlock: boolean): void => {
    if (Array.isArray(node)) {
      for (const n of node) walk(n, false);
      return;
    }
    if (!node || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    if (isBlock) {
      if (typeof o.block_id === 'string') {
        if (blockIds.has(o.block_id)) problems.push(`duplicate block_id ${o.block_id}`);
        blockIds.add(o.block_id);
      }
      if (o.type === 'table') tables++;
      if (o.type === 'markdown' && typeof o.text === 'string') markdownChars += o.text.length;
    }
    if (typeof o.action_id === 'string') {
      if (actionIds.has(o.action_id)) problems.push(`duplicate action_id ${o.action_id}`);
      actionIds.add(o.action_id);
    }
    for (const [k, v] of Object.entries(o)) if (k !== 'block_id') walk(v, false);
  };
  for (const b of blocks) walk(b, true);
  if (tables > 1) problems.push('more than one table');
  if (markdownChars > 12_000) problems.push('markdown blocks over 12,000 characters');
  return problems;
}
