"use client";

import { usePathname, useRouter } from "next/navigation";
import { useEffect } from "react";
import { Button, Spinner } from "@/components/ui/Button";
import { PageMessage } from "@/components/ui/Notice";
import { InboxProvider } from "@/lib/inbox/InboxProvider";
import { useSession } from "@/lib/session";
import { SocketProvider } from "@/lib/socket";
import { AppShell } from "./AppShell";

/** Everything under /app needs a session: wait for it, or send the visitor to sign in. */
export function AppGate({ children }: { children: React.ReactNode }) {
  const session = useSession();
  const router = useRouter();
  const pathname = usePathname();

  useEffect(() => {
    if (session.status === "signed-out") {
      router.replace(`/login?next=${encodeURIComponent(pathname)}`);
    }
  }, [session.status, router, pathname]);

  if (session.status === "loading") {
    return (
      <div className="flex min-h-dvh items-center justify-center text-slate-600">
        <Spinner label="Loading your workspace…" />
      </div>
    );
  }
  if (session.status === "signed-out") {
    return (
      <div className="flex min-h-dvh items-center justify-center text-slate-600">
        <Spinner label="You are signed out. Taking you to the sign-in page…" />
      </div>
    );
  }
  if (session.status === "unreachable") {
    return (
      <PageMessage
        title="MyRelay is out of reach"
        action={<Button onClick={() => void session.refresh()}>Try again</Button>}
      >
        The server did not answer. Check your connection; your work is saved on the server.
      </PageMessage>
    );
  }
  return (
    <SocketProvider userId={session.user.id}>
      <InboxProvider me={session.user}>
        <AppShell user={session.user}>{children}</AppShell>
      </InboxProvider>
    </SocketProvider>
  );
}
