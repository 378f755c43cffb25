import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // The Docker image (NEXT_OUTPUT=standalone) copies .next/standalone and runs
  // `node server.js`; `make run` and the browser tests use `next start`.
  output: process.env.NEXT_OUTPUT === "standalone" ? "standalone" : undefined,
  reactStrictMode: true,
  poweredByHeader: false,
  // Browsers ask for /favicon.ico on their own; the app's icon is app/icon.svg.
  async redirects() {
    return [{ source: "/favicon.ico", destination: "/icon.svg", permanent: true }];
  },
};

export default nextConfig;
