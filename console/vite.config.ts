// The console's build: Preact with Vite, from console to console/dist. Local
// mode serves dist from disk (local/console-files.ts); the stack uploads it to its bucket.
import { fileURLToPath } from "node:url";
import preact from "@preact/preset-vite";
import { defineConfig, type Plugin } from "vite";

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
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/",
  plugins: [preact(), woff2Only()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // Nothing inlined as a data: URL: the page's CSP allows fonts and scripts from 'self' only.
    assetsInlineLimit: 0,
    target: "es2022",
  },
});
