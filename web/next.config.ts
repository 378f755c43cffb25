import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // The Docker image copies .next/standalone and runs `node server.js`.
  output: "standalone",
  reactStrictMode: true,
  poweredByHeader: false,
};

export default nextConfig;
