"use client";

import { useRouter, useSearchParams } from "next/navigation";
import { TextField } from "@/components/ui/Field";
import { useSubmitForm } from "@/components/ui/useSubmitForm";
import { api } from "@/lib/api/client";
import { unwrap } from "@/lib/api/errors";
import { useSession } from "@/lib/session";
import { AuthCard } from "./AuthCard";
import { safeNext, useRedirectIfSignedIn } from "./useRedirectIfSignedIn";

export function LoginForm() {
  const next = safeNext(useSearchParams().get("next"));
  const router = useRouter();
  const { signedIn } = useSession();
  useRedirectIfSignedIn(next);

  const form = useSubmitForm({
    read: (data) => ({ email: String(data.get("email")), password: String(data.get("password")) }),
    send: async (body) => {
      const res = await unwrap(api().POST("/auth/login", { body }));
      signedIn(res.user);
      router.replace(next);
    },
    explain: (err) =>
      err.code === "invalid_credentials" ? { error: "That email and password do not match an active account." } : null,
  });

  return (
    <AuthCard
      title="Sign in"
      form={form}
      submitLabel="Sign in"
      switchTo={{ question: "New here?", href: "/register", label: "Create an account" }}
    >
      <TextField label="Email" name="email" type="email" autoComplete="email" required error={form.fields.email} />
      <TextField
        label="Password"
        name="password"
        type="password"
        autoComplete="current-password"
        required
        error={form.fields.password}
      />
    </AuthCard>
  );
}
