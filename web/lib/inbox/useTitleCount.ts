"use client";

import { useEffect } from "react";

const COUNT_PREFIX = /^\(\d+\) /;

/**
 * Put the unread count in front of the tab title: `(3) Inbox · MyRelay`, plain when 0.
 * Next.js sets the title on each navigation, so the prefix is put back whenever the
 * `<title>` changes.
 */
export function useTitleCount(count: number): void {
  useEffect(() => {
    const apply = () => {
      const base = document.title.replace(COUNT_PREFIX, "");
      const wanted = count > 0 ? `(${count}) ${base}` : base;
      if (document.title !== wanted) document.title = wanted;
    };
    apply();
    const observer = new MutationObserver(apply);
    observer.observe(document.head, { subtree: true, childList: true, characterData: true });
    return () => {
      observer.disconnect();
      document.title = document.title.replace(COUNT_PREFIX, "");
    };
  }, [count]);
}
