// Writes the proxy config templates that the images under images/ build from.
// Unit tests fail when a committed template drifts from what the renderers produce.
import { fileURLToPath } from 'node:url';
import { writeRenderedPgpoolTemplates } from '../config/pgpool-config.ts';
import { writeRenderedProxysqlTemplate } from '../config/proxysql-config.ts';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
writeRenderedPgpoolTemplates(repoRoot);
console.log('rendered images/pgpool/pgpool.conf.template and pool_hba.conf');
console.log(`rendered ${writeRenderedProxysqlTemplate(repoRoot)}`);
