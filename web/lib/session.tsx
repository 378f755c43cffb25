"use client";

import { createContext, useCallback, useContext, useEffect, useMemo, useState } from "react";
import { api } from "@/lib/api/client";
import { unwrap } from "@/lib/api/errors";
import type { Role, User } from "@/lib/api/types";

export type SessionState =
  | { status: "loading"; user: null }
  | { status: "signed-in"; user: User }
  | { status: "signed-out"; user: null }
  | { status: "unreachable"; user: null };

type SessionContextValue = SessionState & {
  /** Ask the API who we are (after login, or when the server dropped our socket). */
  refresh: () => Promise<User | null>;
  signedIn: (user: User) => void;
  logout: () => Promise<void>;
};

const SessionContext = createContext<SessionContextValue | null>(null);

/**
 * Who is signed in, from `GET /auth/session` (the session itself is the API's HttpOnly
 * cookie). That probe answers 200 with `user: null` when signed out, so a visitor's
 * browser logs no failed request.
 */
export function SessionProvider({ children }: { children: React.ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: "loading", user: null });

  const refresh = useCallback(async () => {
    try {
      const { user } = await unwrap(api().GET("/auth/session"));
      setState(user ? { status: "signed-in", user } : { status: "signed-out", user: null });
      return user ?? null;
    } catch {
      setState({ status: "unreachable", user: null });
      return null;
    }
  }, []);

  useEffect(() => {
    // Runs once on mount: the session is a cookie only the API can read.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    void refresh();
  }, [refresh]);

  const signedIn = useCallback((user: User) => setState({ status: "signed-in", user }), []);

  const logout = useCallback(async () => {
    try {
      await unwrap(api().POST("/auth/logout"));
    } catch {
      // Signed out already, or the server is unreachable: forget the user either way.
    }
    setState({ status: "signed-out", user: null });
  }, []);

  const value = useMemo(
    () => ({ ...state, refresh, signedIn, logout }),
    [state, refresh, signedIn, logout],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const ctx = useContext(SessionContext);
  if (!ctx) throw new Error("useSession must be used inside <SessionProvider>");
  return ctx;
}

/** The signed-in user, for components under the `/app` guard. */
export function useCurrentUser(): User {
  const session = useSession();
  if (session.status !== "signed-in") throw new Error("useCurrentUser needs a signed-in session");
  return session.user;
}

export function homeFor(role: Role): string {
  return role === "user" ? "/app/tickets" : "/app/inbox";
}

export function isStaff(role: Role): boolean {
  return role === "agent" || role === "admin";
}
