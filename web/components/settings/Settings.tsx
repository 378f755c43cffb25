"use client";

import { useId, useState } from "react";
import { PageBody, PageHeader } from "@/components/shell/PageHeader";
import { Button, Spinner } from "@/components/ui/Button";
import { Notice } from "@/components/ui/Notice";
import { errorMessage } from "@/lib/api/errors";
import type { Preferences } from "@/lib/api/types";
import {
  notificationPermission,
  playTone,
  requestNotificationPermission,
  type NotificationPermissionState,
} from "@/lib/inbox/alerts";
import { useInbox } from "@/lib/inbox/InboxProvider";

const PERMISSION: Record<NotificationPermissionState, string> = {
  granted: "Allowed: this browser shows MyRelay's notifications.",
  denied: "Blocked: this browser refuses MyRelay's notifications. Allow them in the site settings of your browser (the icon left of the address).",
  default: "Not asked yet: this browser will ask you once you allow notifications below.",
  unsupported: "This browser cannot show notifications.",
};

/** Notification settings (stored on the server for every device) and this browser's permission. */
export function Settings() {
  const { preferences, savePreferences } = useInbox();
  const [permission, setPermission] = useState<NotificationPermissionState>(() => notificationPermission());
  const [saving, setSaving] = useState<Partial<Preferences>>({});
  const [error, setError] = useState<string | null>(null);

  async function askPermission() {
    setPermission(await requestNotificationPermission());
  }

  async function toggle(key: keyof Preferences, on: boolean) {
    // The switch shows the new state at once; it goes back if the server says no.
    setSaving((cur) => ({ ...cur, [key]: on }));
    setError(null);
    try {
      await savePreferences({ [key]: on });
      // Turning notifications on is a click: the one moment the browser may ask.
      if (key === "browser_notifications" && on && permission === "default") await askPermission();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setSaving((cur) => {
        const next = { ...cur };
        delete next[key];
        return next;
      });
    }
  }

  return (
    <PageBody>
      <PageHeader title="Settings" description="How MyRelay tells you about new messages." />
      <section aria-labelledby="notifications-title" className="space-y-5 rounded-xl border border-slate-200 bg-white p-5">
        <h2 id="notifications-title" className="font-semibold text-slate-900">
          Notifications
        </h2>
        {error && <Notice tone="error">{error}</Notice>}
        {!preferences ? (
          <Spinner label="Loading your settings…" />
        ) : (
          <div className="space-y-4">
            <Toggle
              label="Browser notifications"
              hint="A notification for a new message on a ticket you are involved in, when you are not looking at it."
              checked={saving.browser_notifications ?? preferences.browser_notifications}
              busy={"browser_notifications" in saving}
              onChange={(on) => void toggle("browser_notifications", on)}
            />
            <Toggle
              label="Sound"
              hint="A short tone with each new message."
              checked={saving.sound ?? preferences.sound}
              busy={"sound" in saving}
              onChange={(on) => void toggle("sound", on)}
            >
              <Button variant="secondary" className="mt-2" onClick={playTone}>
                Play the sound
              </Button>
            </Toggle>
          </div>
        )}
        <div className="border-t border-slate-200 pt-4">
          <h3 className="text-sm font-medium text-slate-900">This browser</h3>
          <p className="mt-1 text-sm text-slate-700" data-testid="notification-permission" data-permission={permission}>
            {PERMISSION[permission]}
          </p>
          {permission === "default" && (
            <Button className="mt-3" onClick={() => void askPermission()}>
              Allow browser notifications
            </Button>
          )}
        </div>
      </section>
    </PageBody>
  );
}

function Toggle({
  label,
  hint,
  checked,
  busy,
  onChange,
  children,
}: {
  label: string;
  hint: string;
  checked: boolean;
  busy: boolean;
  onChange: (on: boolean) => void;
  children?: React.ReactNode;
}) {
  const id = useId();
  return (
    <div className="flex items-start gap-3">
      <input
        id={id}
        type="checkbox"
        role="switch"
        aria-describedby={`${id}-hint`}
        checked={checked}
        disabled={busy}
        onChange={(e) => onChange(e.target.checked)}
        className="mt-0.5 size-4 rounded border-slate-300"
      />
      <div>
        <label htmlFor={id} className="text-sm font-medium text-slate-900">
          {label}
        </label>
        <p id={`${id}-hint`} className="text-sm text-slate-600">
          {hint}
        </p>
        {children}
      </div>
    </div>
  );
}
