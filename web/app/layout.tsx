import type { Metadata, Viewport } from "next";
import { serverRuntimeConfig } from "@/lib/config";
import { SessionProvider } from "@/lib/session";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "MyRelay", template: "%s · MyRelay" },
  description: "A real-time ticket and support workspace for teams.",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

// Rendered per request so the API URL comes from the running server's environment.
export const dynamic = "force-dynamic";

export default function RootLayout({ children }: { children: React.ReactNode }) {
  const config = JSON.stringify(serverRuntimeConfig()).replace(/</g, "\\u003c");
  return (
    <html lang="en">
      <head>
        <script dangerouslySetInnerHTML={{ __html: `window.__MYRELAY_CONFIG__=${config};` }} />
      </head>
      <body className="min-h-dvh font-sans">
        <SessionProvider>{children}</SessionProvider>
      </body>
    </html>
  );
}
