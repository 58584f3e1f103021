// Loads one of the page's TypeScript modules in node (bundled by esbuild in memory).
import { build } from "esbuild";

export async function loadTs(path) {
  const out = await build({ entryPoints: [new URL(path, import.meta.url).pathname], bundle: true, format: "esm", write: false, platform: "neutral", logLevel: "silent" });
  const code = out.outputFiles[0].text;
  return import(`data:text/javascript;base64,${Buffer.from(code).toString("base64")}`);
}
