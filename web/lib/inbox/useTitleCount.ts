"use client";

import { useEffect } from "react";

const COUNTED = /^\(\d+\) MyRelay$/;

/**
 * The tab title counts unread messages as SPEC §10 shows it: `(3) MyRelay`; with nothing
 * unread, the page's own title (`Inbox · MyRelay`). Next.js sets the title on each
 * navigation, so the page's title is remembered and the count put back whenever `<title>`
 * changes.
 */
export function useTitleCount(count: number): void {
  useEffect(() => {
    let pageTitle = COUNTED.test(document.title) ? "MyRelay" : document.title;
    const apply = () => {
      if (!COUNTED.test(document.title)) pageTitle = document.title;
      const wanted = count > 0 ? `(${count}) MyRelay` : pageTitle;
      if (document.title !== wanted) document.title = wanted;
    };
    apply();
    const observer = new MutationObserver(apply);
    observer.observe(document.head, { subtree: true, childList: true, characterData: true });
    return () => {
      observer.disconnect();
      if (COUNTED.test(document.title)) document.title = pageTitle;
    };
  }, [count]);
}
