import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  globalIgnores([
    ".next/**",
    "node_modules/**",
    "e2e-results/**",
    "test-results/**",
    "playwright-report/**",
    "next-env.d.ts",
    "lib/api/schema.d.ts",
  ]),
]);
