import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { SLACK_TEST_DATA } from './paths.js';

const SHARED = SLACK_TEST_DATA;
const SCHEMA_ID = 'https://tightknit.com/schemas/slack-block-kit.schema.json';

const ajv = new Ajv2020({ strict: false, allErrors: false });
(addFormats as unknown as (a: Ajv2020) => void)(ajv);
ajv.addSchema(JSON.parse(readFileSync(new URL('block-kit.schema.json', SHARED), 'utf8')));
const validateBlocks = ajv.compile({ $ref: SCHEMA_ID });
const validateModal = ajv.compile({ $ref: `${SCHEMA_ID}#/$defs/modal_view` });

/** Rules the schema leaves out (see shared/test-data/slack/README.md). */
function extraRules(blocks: unknown[], maxBlocks: number): string[] {
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

/** Problems with a message's blocks (schema, 50 blocks, unique IDs); empty when valid. */
export function messageBlockProblems(blocks: unknown): string[] {
  if (!validateBlocks(blocks))
    return (validateBlocks.errors ?? []).slice(0, 5).map((e) => `${e.instancePath} ${e.message}`);
  return extraRules(blocks as unknown[], 50);
}

/** Problems with a modal view; empty when valid. */
export function modalProblems(view: unknown): string[] {
  if (!validateModal(view))
    return (validateModal.errors ?? []).slice(0, 5).map((e) => `${e.instancePath} ${e.message}`);
  return extraRules(((view as { blocks?: unknown[] }).blocks ?? []) as unknown[], 100);
}
