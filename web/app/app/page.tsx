"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";
import { Spinner } from "@/components/ui/Button";
import { homeFor, useCurrentUser } from "@/lib/session";

/** /app sends each role to its home. */
export default function AppHome() {
  const user = useCurrentUser();
  const router = useRouter();
  const home = homeFor(user.role);
  useEffect(() => router.replace(home), [router, home]);
  return (
    <div className="flex flex-1 items-center justify-center p-10 text-slate-600">
      <Spinner label="Opening your home page…" />
    </div>
  );
}
