// Writes the proxy config templates that the images under images/ build from.
// Unit tests fail when a committed template drifts from what the renderers produce.
import { fileURLToPath } from 'node:url';
import { writeRenderedPgpoolTemplates } from '../fixtures/render/pgpool-config.ts';
import { writeRenderedProxysqlTemplate } from '../fixtures/render/proxysql-config.ts';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
writeRenderedPgpoolTemplates(repoRoot);
console.log('rendered images/pgpool/pgpool.conf.template and pool_hba.conf');
console.log(`rendered ${writeRenderedProxysqlTemplate(repoRoot)}`);
