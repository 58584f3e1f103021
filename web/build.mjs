// Builds web/dist: app.js (one bundle), app.css and index.html, with fixed names so the Rust
// side embeds them by path. Deterministic: CI rebuilds and fails when dist/ differs.
import { build } from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";

mkdirSync("dist", { recursive: true });
await build({
  entryPoints: ["src/main.ts"],
  bundle: true,
  format: "esm",
  target: "es2020",
  minify: true,
  legalComments: "none",
  outfile: "dist/app.js",
  logLevel: "warning",
});
copyFileSync("src/app.css", "dist/app.css");
copyFileSync("src/index.html", "dist/index.html");
