/**
 * Where the API lives.
 *
 * `NEXT_PUBLIC_API_URL` is read when the server renders a page (see `app/layout.tsx`), not
 * only when the app is built, so one build can talk to any API: the root layout writes the
 * value into the page as `window.__MYRELAY_CONFIG__`. The build-time value is the fallback.
 */

export const DEFAULT_API_URL = "http://localhost:8080";

export type RuntimeConfig = { apiUrl: string };

declare global {
  interface Window {
    __MYRELAY_CONFIG__?: RuntimeConfig;
  }
}

/** Server side: the API URL from the environment of the running server. */
export function serverRuntimeConfig(): RuntimeConfig {
  // A computed key so the bundler cannot inline the build-time value here.
  const key = ["NEXT", "PUBLIC", "API", "URL"].join("_");
  const apiUrl = process.env[key] || process.env.NEXT_PUBLIC_API_URL || DEFAULT_API_URL;
  return { apiUrl: apiUrl.replace(/\/+$/, "") };
}

/** Browser side: what the server put on the page, else the build-time value. */
export function apiBaseUrl(): string {
  if (typeof window !== "undefined" && window.__MYRELAY_CONFIG__) {
    return window.__MYRELAY_CONFIG__.apiUrl;
  }
  return (process.env.NEXT_PUBLIC_API_URL ?? DEFAULT_API_URL).replace(/\/+$/, "");
}
