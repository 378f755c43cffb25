"use client";

import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/Button";
import { TextField } from "@/components/ui/Field";
import { Notice } from "@/components/ui/Notice";
import { api } from "@/lib/api/client";
import { ApiError, errorMessage, unwrap } from "@/lib/api/errors";
import { useSession } from "@/lib/session";
import { AuthCard } from "./AuthCard";
import { safeNext, useRedirectIfSignedIn } from "./useRedirectIfSignedIn";

export function LoginForm() {
  const next = safeNext(useSearchParams().get("next"));
  const router = useRouter();
  const { signedIn } = useSession();
  useRedirectIfSignedIn(next);

  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    setFields({});
    try {
      const res = await unwrap(
        api().POST("/auth/login", {
          body: { email: String(form.get("email")), password: String(form.get("password")) },
        }),
      );
      signedIn(res.user);
      router.replace(next);
    } catch (err) {
      if (err instanceof ApiError && err.code === "invalid_credentials") {
        setError("That email and password do not match an active account.");
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
      title="Sign in"
      footer={
        <>
          New here?{" "}
          <Link className="font-medium text-brand-700 hover:underline" href="/register">
            Create an account
          </Link>
        </>
      }
    >
      <form onSubmit={onSubmit} className="space-y-4" noValidate>
        {error && <Notice tone="error">{error}</Notice>}
        <TextField label="Email" name="email" type="email" autoComplete="email" required error={fields.email} />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          error={fields.password}
        />
        <Button type="submit" className="w-full" busy={busy}>
          Sign in
        </Button>
      </form>
    </AuthCard>
  );
}
