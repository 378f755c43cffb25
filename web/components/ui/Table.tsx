import type { ReactNode } from "react";

export type Column = {
  label: ReactNode;
  /** Right-aligned, for counts. */
  numeric?: boolean;
};

/** Rows of records under a header of column names; scrolls sideways below `minWidth`. */
export function Table({ columns, minWidth, children }: { columns: Column[]; minWidth: string; children: ReactNode }) {
  return (
    <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white">
      <table className={`w-full ${minWidth} text-left text-sm`}>
        <thead className="border-b border-slate-200 bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
          <tr>
            {columns.map((c, i) => (
              <th key={i} scope="col" className={c.numeric ? "px-4 py-2 text-right font-medium" : "px-4 py-2 font-medium"}>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">{children}</tbody>
      </table>
    </div>
  );
}
