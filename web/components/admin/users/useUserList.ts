"use client";

import { useCallback, useEffect, useState } from "react";
import { api } from "@/lib/api/client";
import { errorMessage, unwrap } from "@/lib/api/errors";
import type { Role, User } from "@/lib/api/types";

/** The accounts matching a role and a search, 25 at a time. */
export function useUserList(role: Role | undefined, q: string) {
  const [items, setItems] = useState<User[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const fetchPage = useCallback(
    (after: string | null) =>
      unwrap(
        api().GET("/admin/users", {
          params: { query: { role, q: q.trim() || undefined, limit: 25, cursor: after ?? undefined } },
        }),
      ),
    [role, q],
  );

  useEffect(() => {
    let cancelled = false;
    // eslint-disable-next-line react-hooks/set-state-in-effect -- a new filter starts a new list
    setLoading(true);
    fetchPage(null)
      .then((page) => {
        if (cancelled) return;
        setItems(page.items);
        setCursor(page.next_cursor ?? null);
        setError(null);
      })
      .catch((e: unknown) => {
        if (!cancelled) setError(errorMessage(e));
      })
      .finally(() => {
        if (!cancelled) setLoading(false);
      });
    return () => {
      cancelled = true;
    };
  }, [fetchPage]);

  async function loadMore() {
    if (!cursor) return;
    setLoadingMore(true);
    try {
      const page = await fetchPage(cursor);
      setItems((cur) => [...cur, ...page.items.filter((u) => !cur.some((x) => x.id === u.id))]);
      setCursor(page.next_cursor ?? null);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setLoadingMore(false);
    }
  }

  /** Show an account as the server returned it after a change. */
  const replace = useCallback((updated: User) => {
    setItems((cur) => cur.map((u) => (u.id === updated.id ? updated : u)));
  }, []);

  return { items, loading, loadingMore, error, hasMore: cursor !== null, loadMore, replace };
}
