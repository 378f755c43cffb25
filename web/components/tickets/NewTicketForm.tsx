"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { PageBody, PageHeader } from "@/components/shell/PageHeader";
import { Button, ButtonLink } from "@/components/ui/Button";
import { TextArea, TextField } from "@/components/ui/Field";
import { Notice } from "@/components/ui/Notice";
import { api } from "@/lib/api/client";
import { ApiError, errorMessage, unwrap } from "@/lib/api/errors";

export function NewTicketForm() {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const subject = String(form.get("subject")).trim();
    const description = String(form.get("description")).trim();
    const local: Record<string, string> = {};
    if (subject.length > 200) local.subject = "Use at most 200 characters.";
    if (!description) local.description = "Describe what you need help with.";
    else if (description.length > 10000) local.description = "Use at most 10,000 characters.";
    setFields(local);
    setError(null);
    if (Object.keys(local).length > 0) return;

    setBusy(true);
    try {
      const ticket = await unwrap(api().POST("/tickets", { body: { subject: subject || null, description } }));
      router.push(`/app/tickets/${ticket.id}`);
    } catch (err) {
      if (err instanceof ApiError && Object.keys(err.fieldErrors()).length > 0) setFields(err.fieldErrors());
      else setError(errorMessage(err));
      setBusy(false);
    }
  }

  return (
    <PageBody>
      <PageHeader title="New ticket" description="Tell us what is going on. An agent will pick it up and answer here." />
      <form onSubmit={onSubmit} className="space-y-4 rounded-xl border border-slate-200 bg-white p-5" noValidate>
        {error && <Notice tone="error">{error}</Notice>}
        <TextField label="Subject (optional)" name="subject" maxLength={200} error={fields.subject} placeholder="A short summary" />
        <TextArea
          label="Description"
          name="description"
          rows={6}
          required
          error={fields.description}
          hint="What happened, what you expected, and anything you already tried."
        />
        <div className="flex gap-2">
          <Button type="submit" busy={busy}>
            Create ticket
          </Button>
          <ButtonLink href="/app/tickets" variant="secondary">
            Cancel
          </ButtonLink>
        </div>
      </form>
    </PageBody>
  );
}
