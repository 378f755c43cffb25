/**
 * Browser notifications and the notification tone. Permission is only ever requested from a
 * click (`requestNotificationPermission` is called by buttons, never on load).
 */

export type NotificationPermissionState = NotificationPermission | "unsupported";

export function notificationPermission(): NotificationPermissionState {
  if (typeof window === "undefined" || !("Notification" in window)) return "unsupported";
  return Notification.permission;
}

/** Ask the browser for permission. Call this only from a user's click. */
export async function requestNotificationPermission(): Promise<NotificationPermissionState> {
  if (notificationPermission() === "unsupported") return "unsupported";
  try {
    return await Notification.requestPermission();
  } catch {
    return notificationPermission();
  }
}

/**
 * Show a notification when the browser allows it. The tag makes the person's other tabs,
 * which hear the same event, replace this one instead of stacking copies.
 */
export function showNotification(opts: { title: string; body: string; tag: string; onClick: () => void }): void {
  if (notificationPermission() !== "granted") return;
  try {
    const n = new Notification(opts.title, { body: opts.body, tag: opts.tag, icon: "/icon.svg" });
    n.onclick = () => {
      window.focus();
      opts.onClick();
      n.close();
    };
  } catch {
    // Some browsers (Android Chrome) only show notifications from a service worker.
  }
}

let audio: AudioContext | null = null;

/** A short two-note chime made with the Web Audio API: nothing to download. */
export function playTone(): void {
  if (typeof window === "undefined" || typeof window.AudioContext !== "function") return;
  try {
    audio ??= new AudioContext();
    const ctx = audio;
    // A context created without a click starts suspended; resuming may be refused, then we stay quiet.
    void ctx.resume().catch(() => {});
    const start = ctx.currentTime + 0.01;
    [880, 1175].forEach((freq, i) => {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      const t = start + i * 0.12;
      osc.type = "sine";
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, t);
      gain.gain.exponentialRampToValueAtTime(0.15, t + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.18);
      osc.connect(gain).connect(ctx.destination);
      osc.start(t);
      osc.stop(t + 0.2);
    });
  } catch {
    // No audio output: the badge and the notification still say it.
  }
}
