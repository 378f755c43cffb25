import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // The Docker image (NEXT_OUTPUT=standalone) copies .next/standalone and runs
  // `node server.js`; `make run` and the browser tests use `next start`.
  output: process.env.NEXT_OUTPUT === "standalone" ? "standalone" : undefined,
  reactStrictMode: true,
  poweredByHeader: false,
};

export default nextConfig;
