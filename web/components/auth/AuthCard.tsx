import Link from "next/link";
import type { FormEvent, ReactNode } from "react";
import { Button } from "@/components/ui/Button";
import { Notice } from "@/components/ui/Notice";

/**
 * The signed-out card: a form with its error above the fields and a full-width submit button,
 * and below the card a link to the other way in ("New here? Create an account").
 */
export function AuthCard({
  title,
  form,
  submitLabel,
  switchTo,
  children,
}: {
  title: string;
  /** From `useSubmitForm`. */
  form: { onSubmit: (e: FormEvent<HTMLFormElement>) => void; error: string | null; busy: boolean };
  submitLabel: string;
  switchTo: { question: string; href: string; label: string };
  /** The fields. */
  children: ReactNode;
}) {
  return (
    <main className="flex min-h-dvh items-center justify-center px-4 py-10">
      <div className="w-full max-w-sm">
        <Link href="/" className="mb-6 block text-center text-lg font-semibold text-slate-900">
          MyRelay
        </Link>
        <div className="rounded-2xl border border-slate-200 bg-white p-6 shadow-sm">
          <h1 className="mb-5 text-xl font-semibold text-slate-900">{title}</h1>
          <form onSubmit={form.onSubmit} className="space-y-4" noValidate>
            {form.error && <Notice tone="error">{form.error}</Notice>}
            {children}
            <Button type="submit" className="w-full" busy={form.busy}>
              {submitLabel}
            </Button>
          </form>
        </div>
        <p className="mt-4 text-center text-sm text-slate-600">
          {switchTo.question}{" "}
          <Link className="font-medium text-brand-700 hover:underline" href={switchTo.href}>
            {switchTo.label}
          </Link>
        </p>
      </div>
    </main>
  );
}
