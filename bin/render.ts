// Writes the proxy config templates that the images under images/ build from.
// Unit tests fail when a committed template drifts from what the renderers produce.
import { writeRenderedPgpoolTemplates } from '../config/pgpool-config.ts';
import { writeRenderedProxysqlTemplate } from '../config/proxysql-config.ts';
import { REPO_ROOT } from '../model/paths.ts';
import { parseCli } from './cli.ts';

parseCli('pgha render', 'usage: npm run render   (re-renders the proxy config templates under images/ from model/)', process.argv.slice(2), {});
writeRenderedPgpoolTemplates(REPO_ROOT);
console.log('rendered images/pgpool/pgpool.conf.template and pool_hba.conf');
console.log(`rendered ${writeRenderedProxysqlTemplate(REPO_ROOT)}`);
