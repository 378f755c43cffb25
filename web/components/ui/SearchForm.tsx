"use client";

import { useId, useState } from "react";
import { Button } from "./Button";

/**
 * A search box and its button. Searching sends the words without surrounding spaces; emptying
 * the box (typing it away or its clear button) clears the search at once.
 */
export function SearchForm({
  label,
  placeholder,
  q,
  onSearch,
}: {
  /** Read by screen readers: the box's visible cue is its placeholder. */
  label: string;
  placeholder: string;
  /** The search in force, shown in the box at first. */
  q: string;
  /** `""` clears the search. */
  onSearch: (q: string) => void;
}) {
  const id = useId();
  const [text, setText] = useState(q);
  return (
    <form
      role="search"
      className="flex gap-2"
      onSubmit={(e) => {
        e.preventDefault();
        onSearch(text.trim());
      }}
    >
      <label htmlFor={id} className="sr-only">
        {label}
      </label>
      <input
        id={id}
        type="search"
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          if (e.target.value === "" && q !== "") onSearch("");
        }}
        placeholder={placeholder}
        className="w-full min-w-0 rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm sm:w-64"
      />
      <Button type="submit" variant="secondary">
        Search
      </Button>
    </form>
  );
}
