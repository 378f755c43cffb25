"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback } from "react";
import { TICKET_STATUSES, type TicketStatus } from "@/lib/api/types";

/** List filters kept in the URL, so a reload or a shared link shows the same list. */
export function useListParams() {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();

  const status = params.getAll("status").filter((s): s is TicketStatus =>
    (TICKET_STATUSES as readonly string[]).includes(s),
  );
  const q = params.get("q") ?? "";

  const set = useCallback(
    (changes: Record<string, string | string[] | null>) => {
      const next = new URLSearchParams(params.toString());
      for (const [k, v] of Object.entries(changes)) {
        next.delete(k);
        if (Array.isArray(v)) v.forEach((x) => next.append(k, x));
        else if (v) next.set(k, v);
      }
      const qs = next.toString();
      router.replace(qs ? `${pathname}?${qs}` : pathname, { scroll: false });
    },
    [params, router, pathname],
  );

  return { params, status, q, set };
}
