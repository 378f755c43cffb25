"use client";

import { useEffect, useRef, type RefObject } from "react";

/**
 * A ref that holds the latest `value` (updated after each render), for listeners and timers
 * that must call the newest callback without subscribing again each time it changes. The ref
 * itself never changes: listing it among an effect's dependencies costs nothing.
 */
export function useLatest<T>(value: T): RefObject<T> {
  const ref = useRef(value);
  useEffect(() => {
    ref.current = value;
  }, [value]);
  return ref;
}
