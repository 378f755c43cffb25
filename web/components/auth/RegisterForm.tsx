"use client";

import { useRouter } from "next/navigation";
import { TextField } from "@/components/ui/Field";
import { useSubmitForm, type FieldErrors } from "@/components/ui/useSubmitForm";
import { api } from "@/lib/api/client";
import { unwrap } from "@/lib/api/errors";
import { useSession } from "@/lib/session";
import { AuthCard } from "./AuthCard";
import { useRedirectIfSignedIn } from "./useRedirectIfSignedIn";

type Registration = { email: string; password: string; display_name: string };

function checkLocally({ email, password, display_name: name }: Registration): FieldErrors {
  const out: FieldErrors = {};
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

  const form = useSubmitForm({
    read: (data): Registration => ({
      email: String(data.get("email")).trim(),
      password: String(data.get("password")),
      display_name: String(data.get("display_name")),
    }),
    check: checkLocally,
    send: async (body) => {
      const res = await unwrap(api().POST("/auth/register", { body }));
      signedIn(res.user);
      router.replace("/app");
    },
    explain: (err) =>
      err.code === "email_taken" ? { fields: { email: "An account with this email already exists. Sign in instead?" } } : null,
  });

  return (
    <AuthCard
      title="Create your account"
      form={form}
      submitLabel="Create account"
      switchTo={{ question: "Already have an account?", href: "/login", label: "Sign in" }}
    >
      <TextField label="Name" name="display_name" autoComplete="name" required maxLength={80} error={form.fields.display_name} />
      <TextField label="Email" name="email" type="email" autoComplete="email" required error={form.fields.email} />
      <TextField
        label="Password"
        name="password"
        type="password"
        autoComplete="new-password"
        required
        hint="8 to 71 characters."
        error={form.fields.password}
      />
    </AuthCard>
  );
}
