import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// In development, the API runs beside Vite (MUTUALIS_API, default http://127.0.0.1:8090):
// its routes are proxied so that the session cookie stays first-party.
const api = process.env.MUTUALIS_API ?? "http://127.0.0.1:8090";
const proxied = ["/graphql", "/auth", "/exports", "/public", "/healthz"];

export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", sourcemap: true, chunkSizeWarningLimit: 1200 },
  server: {
    port: 5173,
    proxy: Object.fromEntries(proxied.map((p) => [p, { target: api, changeOrigin: false }])),
  },
});
