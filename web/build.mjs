// Builds the browser app into dist/ (npm run build), or the unit tests into
// build-test/ (npm test). esbuild bundles TypeScript directly; `tsc --noEmit`
// is the type check. Asset names carry a content hash, so the Go handler can
// let browsers cache them for a year; index.html names the current ones.
import * as esbuild from "esbuild";
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const tests = process.argv.includes("--tests");

if (tests) {
  rmSync("build-test", { recursive: true, force: true });
  const entryPoints = readdirSync("test").filter((f) => f.endsWith(".test.ts")).map((f) => join("test", f));
  await esbuild.build({
    entryPoints, bundle: true, platform: "node", format: "esm", target: "node20",
    outdir: "build-test", outExtension: { ".js": ".mjs" }, logLevel: "warning",
  });
} else {
  const out = await esbuild.build({
    entryPoints: { app: "src/main.ts" }, bundle: true, minify: true, format: "esm", target: "es2020",
    write: false, outdir: "dist", sourcemap: false, legalComments: "none", logLevel: "warning",
  });
  for (const f of readdirSync("dist")) if (f !== ".gitkeep") rmSync(join("dist", f), { recursive: true });
  mkdirSync("dist", { recursive: true });
  const hash = (b) => createHash("sha256").update(b).digest("hex").slice(0, 10);
  const js = out.outputFiles.find((f) => f.path.endsWith(".js")).contents;
  const css = readFileSync("src/app.css");
  const jsName = `app.${hash(js)}.js`, cssName = `app.${hash(css)}.css`;
  writeFileSync(join("dist", jsName), js);
  writeFileSync(join("dist", cssName), css);
  // Unhashed copies keep the documented names (app.js, app.css) for scripts and tests.
  writeFileSync(join("dist", "app.js"), js);
  writeFileSync(join("dist", "app.css"), css);
  const html = readFileSync("src/index.html", "utf8").replace("app.css", cssName).replace("app.js", jsName);
  writeFileSync(join("dist", "index.html"), html);
  const { gzipSync } = await import("node:zlib");
  console.log(`dist/${jsName}: ${(js.length / 1024).toFixed(1)} KB, ${(gzipSync(js).length / 1024).toFixed(1)} KB gzipped`);
}
