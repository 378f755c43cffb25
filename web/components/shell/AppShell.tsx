"use client";

import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import type { User } from "@/lib/api/types";
import { ROLE_LABEL } from "@/lib/format";
import { useInbox } from "@/lib/inbox/InboxProvider";
import { useSession } from "@/lib/session";
import { UnreadBadge } from "@/components/tickets/UnreadBadge";
import { ConnectionBadge } from "./ConnectionBadge";

/** `unread`: this item shows the number of unread messages (the role's home). */
type NavItem = { href: string; label: string; unread?: boolean };

const SETTINGS: NavItem = { href: "/app/settings", label: "Settings" };

function navFor(user: User): NavItem[] {
  if (user.role === "user") {
    return [
      { href: "/app/tickets", label: "My tickets", unread: true },
      { href: "/app/tickets/new", label: "New ticket" },
      SETTINGS,
    ];
  }
  const items: NavItem[] = [{ href: "/app/inbox", label: "Inbox", unread: true }];
  if (user.role === "admin") {
    items.push(
      { href: "/app/admin", label: "Dashboard" },
      { href: "/app/admin/tickets", label: "All tickets" },
      { href: "/app/admin/users", label: "Users" },
      { href: "/app/admin/agents", label: "Agents" },
      { href: "/app/admin/audit", label: "Audit log" },
    );
  }
  items.push(SETTINGS);
  return items;
}

function isActive(pathname: string, href: string): boolean {
  if (href === "/app/admin" || href === "/app/tickets/new") return pathname === href;
  if (href === "/app/tickets") return pathname.startsWith(href) && pathname !== "/app/tickets/new";
  return pathname === href || pathname.startsWith(`${href}/`);
}

export function AppShell({ user, children }: { user: User; children: React.ReactNode }) {
  const pathname = usePathname();
  const router = useRouter();
  const { logout } = useSession();
  const { unread } = useInbox();
  const items = navFor(user);

  return (
    <div className="flex h-dvh flex-col overflow-hidden">
      <header className="z-20 shrink-0 border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-6xl items-center gap-4 px-4 py-2.5">
          <Link href="/app" className="font-semibold text-slate-900">
            MyRelay
          </Link>
          <nav aria-label="Main" className="hidden gap-1 md:flex">
            {items.map((i) => (
              <NavLink key={i.href} item={i} active={isActive(pathname, i.href)} unread={i.unread ? (unread ?? 0) : 0} />
            ))}
          </nav>
          <div className="ml-auto flex items-center gap-3">
            <ConnectionBadge />
            <span className="hidden text-sm text-slate-700 sm:inline" data-testid="current-user">
              {user.display_name}{" "}
              <span className="text-xs text-slate-500">({ROLE_LABEL[user.role]})</span>
            </span>
            <button
              type="button"
              className="rounded-md px-2 py-1 text-sm text-slate-600 hover:bg-slate-100 hover:text-slate-900"
              onClick={async () => {
                await logout();
                router.replace("/login");
              }}
            >
              Sign out
            </button>
          </div>
        </div>
        <nav aria-label="Main (compact)" className="flex gap-1 overflow-x-auto px-3 pb-2 md:hidden">
          {items.map((i) => (
            <NavLink key={i.href} item={i} active={isActive(pathname, i.href)} unread={i.unread ? (unread ?? 0) : 0} />
          ))}
        </nav>
      </header>
      <div id="app-content" className="flex min-h-0 flex-1 flex-col overflow-y-auto">
        {children}
      </div>
    </div>
  );
}

function NavLink({ item, active, unread }: { item: NavItem; active: boolean; unread: number }) {
  return (
    <Link
      href={item.href}
      aria-current={active ? "page" : undefined}
      className={`inline-flex items-center gap-1.5 whitespace-nowrap rounded-md px-2.5 py-1.5 text-sm ${
        active ? "bg-brand-50 font-medium text-brand-700" : "text-slate-600 hover:bg-slate-100 hover:text-slate-900"
      }`}
    >
      {item.label}
      {unread > 0 && <UnreadBadge count={unread} label={unread === 1 ? "unread message" : "unread messages"} testId="nav-unread" />}
    </Link>
  );
}
