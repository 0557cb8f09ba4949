/** `npm run rbac`: writes manifests/rbac.yaml from the playbooks in `playbooks/` (arguments: the folder and the file). */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPlaybooks } from '../runbook/playbook.js';
import { rbacManifest } from './permissions.js';

const [dir = 'playbooks', out = 'manifests/rbac.yaml'] = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort()
  .map((f) => ({ name: join(dir, f), text: readFileSync(join(dir, f), 'utf8') }));
writeFileSync(out, rbacManifest(loadPlaybooks(files).values()));
process.stdout.write(`wrote ${out} from ${files.length} playbooks in ${dir}\n`);
