"use client";

import { io, type SocketReservedEvents } from "socket.io-client";
import { createContext, useContext, useEffect, useState } from "react";
import { apiBaseUrl } from "@/lib/config";
import type { ConnectionState, RelaySocket, ServerToClientEvents } from "@/lib/realtime";
import { useSession } from "@/lib/session";
import { useLatest } from "@/lib/useLatest";

type SocketContextValue = { socket: RelaySocket | null; state: ConnectionState };

const SocketContext = createContext<SocketContextValue>({ socket: null, state: "connecting" });

declare global {
  interface Window {
    /** The live socket, for debugging in the browser console and for the e2e tests. */
    __myrelaySocket?: RelaySocket;
  }
}

/**
 * One Socket.IO connection per signed-in tab. The API's session cookie authenticates it
 * (`withCredentials`), so no token is kept in JavaScript.
 */
export function SocketProvider({ userId, children }: { userId: number; children: React.ReactNode }) {
  const { refresh } = useSession();
  const refreshRef = useLatest(refresh);

  const [value, setValue] = useState<SocketContextValue>({ socket: null, state: "connecting" });

  useEffect(() => {
    const socket: RelaySocket = io(apiBaseUrl(), { withCredentials: true });
    window.__myrelaySocket = socket;
    let everConnected = false;
    const set = (state: ConnectionState) => setValue({ socket, state });
    set("connecting");

    socket.on("connect", () => {
      everConnected = true;
      set("connected");
    });
    socket.on("disconnect", (reason) => {
      set("reconnecting");
      // The server dropped us on purpose (role change, deactivation, logout elsewhere):
      // socket.io does not retry that by itself. Re-check the session, then reconnect.
      if (reason === "io server disconnect") {
        void refreshRef.current().then((user) => {
          if (user) socket.connect();
          else set("signed-out");
        });
      }
    });
    socket.on("connect_error", (err) => {
      if (err.message === "unauthorized") {
        void refreshRef.current().then((user) => {
          if (user) setTimeout(() => socket.connect(), 1000);
          else set("signed-out");
        });
      } else {
        set(everConnected ? "reconnecting" : "connecting");
      }
    });

    return () => {
      socket.removeAllListeners();
      socket.disconnect();
      if (window.__myrelaySocket === socket) delete window.__myrelaySocket;
    };
  }, [userId, refreshRef]);

  return <SocketContext.Provider value={value}>{children}</SocketContext.Provider>;
}

export function useSocket(): SocketContextValue {
  return useContext(SocketContext);
}

/** What a component may listen to: the server's events, and the socket's own (re)connects and drops. */
type ListenEvents = ServerToClientEvents & Pick<SocketReservedEvents, "connect" | "disconnect">;

/** Subscribe to one socket event for the lifetime of the component; `handler` may change freely. */
export function useSocketEvent<E extends keyof ListenEvents>(event: E, handler: ListenEvents[E]): void {
  const { socket } = useSocket();
  const handlerRef = useLatest(handler);

  useEffect(() => {
    if (!socket) return;
    const listener = ((...args: Parameters<ListenEvents[E]>) =>
      (handlerRef.current as (...a: typeof args) => void)(...args)) as ListenEvents[E];
    // socket.io-client's typed `on` needs the generic listener type.
    socket.on(event, listener as never);
    return () => {
      socket.off(event, listener as never);
    };
  }, [socket, event, handlerRef]);
}

/** Run `callback` each time the socket (re)connects after the first connection. */
export function useOnReconnect(callback: () => void): void {
  const { socket } = useSocket();
  const cbRef = useLatest(callback);
  useEffect(() => {
    if (!socket) return;
    let first = !socket.connected;
    const onConnect = () => {
      if (first) {
        first = false;
        return;
      }
      cbRef.current();
    };
    socket.on("connect", onConnect);
    return () => {
      socket.off("connect", onConnect);
    };
  }, [socket, cbRef]);
}
