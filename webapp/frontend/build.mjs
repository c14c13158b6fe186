// Bundles the front-end entry points into webapp/static/dist/ with esbuild.
//   node build.mjs          production: minified, no source maps
//   node build.mjs --dev    readable output with source maps
//   node build.mjs --watch  --dev, rebuilding on every change
import { rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const outdir = resolve(here, '../static/dist');
const watch = process.argv.includes('--watch');
const dev = watch || process.argv.includes('--dev');

const options = {
  absWorkingDir: here,
  entryPoints: {
    app: 'src/app.js',
    viewer: 'src/viewer.js',
    // one bundle per editor page, so pages that only show diagrams stay light
    modeler: 'src/modeler.js',
    'dmn-editor': 'src/dmn-editor.js',
    'form-editor': 'src/form-editor.js',
  },
  outdir,
  bundle: true,
  format: 'iife',
  target: 'es2020',
  minify: !dev,
  sourcemap: dev,
  // Font files referenced by url() in the bpmn-font CSS are copied next to the
  // bundles; url() paths stay relative, so they resolve under /static/dist/.
  loader: { '.eot': 'file', '.woff': 'file', '.woff2': 'file', '.ttf': 'file', '.svg': 'file' },
  assetNames: 'fonts/[name]-[hash]',
  // One preact for every bundle: form-js-editor pins an older copy of its own, and hooks
  // break when its components and the properties panel's run on different copies.
  alias: { preact: resolve(here, 'node_modules/preact') },
  define: { 'process.env.NODE_ENV': JSON.stringify(dev ? 'development' : 'production') },
  logLevel: 'info',
};

// Hashed font names change between versions: start from an empty folder.
await rm(outdir, { recursive: true, force: true });

if (watch) {
  const context = await esbuild.context(options);
  await context.watch();
} else {
  await esbuild.build(options);
}
