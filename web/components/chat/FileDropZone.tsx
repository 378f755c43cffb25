"use client";

import { useRef, useState, type DragEvent, type ReactNode } from "react";

function carriesFiles(e: DragEvent): boolean {
  return e.dataTransfer.types.includes("Files");
}

/**
 * Lets files be dropped anywhere on the conversation and composer, with a visible target
 * while something is dragged over it. Drags of text or links pass through untouched.
 */
export function FileDropZone({
  disabled,
  onFiles,
  children,
}: {
  disabled: boolean;
  onFiles: (files: File[]) => void;
  children: ReactNode;
}) {
  const depth = useRef(0);
  const [over, setOver] = useState(false);
  const active = over && !disabled;

  return (
    <div
      className="relative flex min-h-0 flex-1 flex-col"
      data-testid="drop-zone"
      onDragEnter={(e) => {
        if (disabled || !carriesFiles(e)) return;
        e.preventDefault();
        depth.current += 1;
        setOver(true);
      }}
      onDragOver={(e) => {
        if (disabled || !carriesFiles(e)) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = "copy";
      }}
      onDragLeave={(e) => {
        if (disabled || !carriesFiles(e)) return;
        depth.current = Math.max(0, depth.current - 1);
        if (depth.current === 0) setOver(false);
      }}
      onDrop={(e) => {
        if (disabled || !carriesFiles(e)) return;
        e.preventDefault();
        depth.current = 0;
        setOver(false);
        const files = [...e.dataTransfer.files];
        if (files.length) onFiles(files);
      }}
    >
      {children}
      {active && (
        <div
          data-testid="drop-target"
          className="pointer-events-none absolute inset-2 z-10 flex items-center justify-center rounded-2xl border-2 border-dashed border-brand-500 bg-brand-50/90 text-sm font-medium text-brand-700"
        >
          Drop files to attach them to your message
        </div>
      )}
    </div>
  );
}
