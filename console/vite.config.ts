// The console's build: Preact with Vite, from console/ to console/dist, with the API reference
// page next to it (console/docs/, api-reference.ts). Local mode serves dist from disk
// (local/console-files.ts); the stack uploads it to its bucket (infra/edge.ts).
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";
import { apiReference } from "./api-reference.ts";

const at = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/**
 * Fontsource lists a woff fallback after each woff2 file; every browser the console supports
 * reads woff2, so the fallbacks are dropped before Vite copies them (half the files, none used).
 */
const woff2Only = (): Plugin => ({
  name: "console-woff2-only",
  enforce: "pre",
  transform(code, id) {
    if (!/@fontsource[\\/].+\.css$/.test(id)) return undefined;
    return { code: code.replace(/,\s*url\([^)]+\.woff\) format\('woff'\)/g, ""), map: null };
  },
});

export default defineConfig({
  root: at("."),
  base: "/",
  // Preact's JSX through Vite's own transform (what @preact/preset-vite set for a build; its dev
  // server extras, hot reload and devtools, are not used: the console is only ever built).
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  plugins: [woff2Only(), apiReference(at(".."))],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // Nothing inlined as a data: URL: the page's CSP allows fonts and scripts from 'self' only.
    assetsInlineLimit: 0,
    target: "es2022",
    // Each page loads one script and preloads no module: nothing for the polyfill to do.
    modulePreload: { polyfill: false },
    // swagger-ui is one 1.6 MB script (about 480 KB gzipped), loaded by the API reference only.
    chunkSizeWarningLimit: 2048,
    rolldownOptions: {
      // The console (GET /) and the API reference (GET /docs): two pages, one folder of assets.
      input: { index: at("index.html"), docs: at("docs/index.html") },
      // Both pages use the Japanese web font: its @font-face rules are one stylesheet they share.
      output: { codeSplitting: { groups: [{ name: "fonts", test: /[\\/]@fontsource[\\/]/ }] } },
    },
  },
});
