import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { blockRuleProblems } from '../../../src/playground/slack/block-rules.js';
import type { Validation } from '../../../src/playground/slack/methods/method.js';
import { SLACK_TEST_DATA } from '../paths.js';

const SHARED = SLACK_TEST_DATA;
const SCHEMA_ID = 'https://tightknit.com/schemas/slack-block-kit.schema.json';

const ajv = new Ajv2020({ strict: false, allErrors: false });
(addFormats as unknown as (a: Ajv2020) => void)(ajv);
ajv.addSchema(JSON.parse(readFileSync(new URL('block-kit.schema.json', SHARED), 'utf8')));
const validateBlocks = ajv.compile({ $ref: SCHEMA_ID });
const validateModal = ajv.compile({ $ref: `${SCHEMA_ID}#/$defs/modal_view` });

/** Problems with a message's blocks (schema, 50 blocks, unique IDs); empty when valid. */
export function messageBlockProblems(blocks: unknown): string[] {
  if (!validateBlocks(blocks))
    return (validateBlocks.errors ?? []).slice(0, 5).map((e) => `${e.instancePath} ${e.message}`);
  return blockRuleProblems(blocks as unknown[], 50);
}

/** Problems with a modal view; empty when valid. */
export function modalProblems(view: unknown): string[] {
  if (!validateModal(view))
    return (validateModal.errors ?? []).slice(0, 5).map((e) => `${e.instancePath} ${e.message}`);
  return blockRuleProblems(((view as { blocks?: unknown[] }).blocks ?? []) as unknown[], 100);
}

/** The Block Kit checks the fake Slack's methods and `response_url` sink apply, from the schema and rules above. */
export const blockKitValidation: Validation = { messageBlocks: messageBlockProblems, modal: modalProblems };
