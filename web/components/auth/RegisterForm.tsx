"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/Button";
import { TextField } from "@/components/ui/Field";
import { Notice } from "@/components/ui/Notice";
import { api } from "@/lib/api/client";
import { ApiError, errorMessage, unwrap } from "@/lib/api/errors";
import { useSession } from "@/lib/session";
import { AuthCard } from "./AuthCard";
import { useRedirectIfSignedIn } from "./useRedirectIfSignedIn";

function checkLocally(email: string, password: string, name: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) out.email = "Enter a valid email address.";
  const bytes = new TextEncoder().encode(password).length;
  if (bytes < 8) out.password = "Use at least 8 characters.";
  else if (bytes > 71) out.password = "Use at most 71 bytes (about 71 plain characters).";
  const n = name.trim().length;
  if (n < 1) out.display_name = "Tell us what to call you.";
  else if (n > 80) out.display_name = "Use at most 80 characters.";
  return out;
}

export function RegisterForm() {
  const router = useRouter();
  const { signedIn } = useSession();
  useRedirectIfSignedIn("/app");

  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const email = String(form.get("email")).trim();
    const password = String(form.get("password"));
    const display_name = String(form.get("display_name"));
    setError(null);
    const local = checkLocally(email, password, display_name);
    setFields(local);
    if (Object.keys(local).length > 0) return;

    setBusy(true);
    try {
      const res = await unwrap(api().POST("/auth/register", { body: { email, password, display_name } }));
      signedIn(res.user);
      router.replace("/app");
    } catch (err) {
      if (err instanceof ApiError && err.code === "email_taken") {
        setFields({ email: "An account with this email already exists. Sign in instead?" });
      } else if (err instanceof ApiError && Object.keys(err.fieldErrors()).length > 0) {
        setFields(err.fieldErrors());
      } else {
        setError(errorMessage(err));
      }
      setBusy(false);
    }
  }

  return (
    <AuthCard
      title="Create your account"
      footer={
        <>
          Already have an account?{" "}
          <Link className="font-medium text-brand-700 hover:underline" href="/login">
            Sign in
          </Link>
        </>
      }
    >
      <form onSubmit={onSubmit} className="space-y-4" noValidate>
        {error && <Notice tone="error">{error}</Notice>}
        <TextField label="Name" name="display_name" autoComplete="name" required maxLength={80} error={fields.display_name} />
        <TextField label="Email" name="email" type="email" autoComplete="email" required error={fields.email} />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          hint="8 to 71 characters."
          error={fields.password}
        />
        <Button type="submit" className="w-full" busy={busy}>
          Create account
        </Button>
      </form>
    </AuthCard>
  );
}
