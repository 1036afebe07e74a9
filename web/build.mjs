// Bundles the dashboard: node build.mjs NODE_MODULES_DIR OUT_DIR
// writes OUT_DIR/app.js and OUT_DIR/app.css (minified, no source maps).
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const [modules, out] = process.argv.slice(2);
if (!modules || !out) {
  console.error("usage: node build.mjs NODE_MODULES_DIR OUT_DIR");
  process.exit(2);
}
const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(path.resolve(modules), "x.js"));
const esbuild = require("esbuild");

await esbuild.build({
  entryPoints: { app: path.join(here, "src", "app.js") },
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  legalComments: "inline",
  nodePaths: [path.resolve(modules)],
  outdir: out,
  logLevel: "warning",
});
