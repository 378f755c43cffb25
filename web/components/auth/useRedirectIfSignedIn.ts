"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";
import { useSession } from "@/lib/session";

/** Where to go after signing in: a same-site `next` path, else `/app`. */
export function safeNext(next: string | null): string {
  return next && next.startsWith("/") && !next.startsWith("//") ? next : "/app";
}

/** Signed-in people have no business on /login or /register: send them on. */
export function useRedirectIfSignedIn(target: string) {
  const session = useSession();
  const router = useRouter();
  useEffect(() => {
    if (session.status === "signed-in") router.replace(target);
  }, [session.status, router, target]);
  return session.status;
}
