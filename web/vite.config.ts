import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// In development, the API runs beside Vite (MUTUALIS_API, default http://127.0.0.1:8090):
// its routes are proxied so that the session cookie stays first-party.
const api = process.env.MUTUALIS_API ?? "http://127.0.0.1:8090";
const proxied = ["/graphql", "/auth", "/exports", "/public", "/healthz"];

export default defineConfig({
  plugins: [react()],
  // The server's build script (api/build.rs) builds into its OUT_DIR and embeds the result.
  // No source maps: the embedded console is public, its sources need not be.
  build: {
    outDir: process.env.MUTUALIS_CONSOLE_OUT ?? "dist",
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1200,
  },
  server: {
    port: 5173,
    proxy: Object.fromEntries(proxied.map((p) => [p, { target: api, changeOrigin: false }])),
  },
});
