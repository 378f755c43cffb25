"use client";

import { useCallback, useEffect, useState } from "react";
import { api } from "@/lib/api/client";
import { errorMessage, unwrap } from "@/lib/api/errors";
import type { AuditEntry, AuditKind } from "@/lib/api/types";

export type AuditQuery = {
  kind?: AuditKind;
  actor?: number;
  ticket?: number;
  user?: number;
  from?: string;
  to?: string;
};

function entryKey(e: AuditEntry): string {
  return `${e.source}:${e.id}`;
}

/** The audit log under `query`, newest first, 50 entries at a time. */
export function useAuditLog(query: AuditQuery) {
  const [items, setItems] = useState<AuditEntry[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const { kind, actor, ticket, user, from, to } = query;

  const fetchPage = useCallback(
    (after: string | null) =>
      unwrap(
        api().GET("/admin/audit", {
          params: {
            query: {
              kind: kind ? [kind] : undefined,
              actor,
              ticket,
              user,
              from,
              to,
              limit: 50,
              cursor: after ?? undefined,
            },
          },
        }),
      ),
    [kind, actor, ticket, user, from, to],
  );

  useEffect(() => {
    let cancelled = false;
    // eslint-disable-next-line react-hooks/set-state-in-effect -- new filters start a new list
    setLoading(true);
    fetchPage(null)
      .then((page) => {
        if (cancelled) return;
        setItems(page.items);
        setCursor(page.next_cursor ?? null);
        setError(null);
      })
      .catch((e: unknown) => {
        if (!cancelled) {
          setItems([]);
          setCursor(null);
          setError(errorMessage(e));
        }
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
      setItems((cur) => {
        const seen = new Set(cur.map(entryKey));
        return [...cur, ...page.items.filter((e) => !seen.has(entryKey(e)))];
      });
      setCursor(page.next_cursor ?? null);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setLoadingMore(false);
    }
  }

  return { items, loading, loadingMore, error, hasMore: cursor !== null, loadMore };
}
