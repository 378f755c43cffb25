"use client";

import { useRouter } from "next/navigation";
import { PageBody, PageHeader } from "@/components/shell/PageHeader";
import { Button, ButtonLink } from "@/components/ui/Button";
import { TextArea, TextField } from "@/components/ui/Field";
import { Notice } from "@/components/ui/Notice";
import { useSubmitForm, type FieldErrors } from "@/components/ui/useSubmitForm";
import { api } from "@/lib/api/client";
import { unwrap } from "@/lib/api/errors";

function checkTicket({ subject, description }: { subject: string; description: string }): FieldErrors {
  const out: FieldErrors = {};
  if (subject.length > 200) out.subject = "Use at most 200 characters.";
  if (!description) out.description = "Describe what you need help with.";
  else if (description.length > 10000) out.description = "Use at most 10,000 characters.";
  return out;
}

export function NewTicketForm() {
  const router = useRouter();
  const form = useSubmitForm({
    read: (data) => ({ subject: String(data.get("subject")).trim(), description: String(data.get("description")).trim() }),
    check: checkTicket,
    send: async ({ subject, description }) => {
      const ticket = await unwrap(api().POST("/tickets", { body: { subject: subject || null, description } }));
      router.push(`/app/tickets/${ticket.id}`);
    },
  });

  return (
    <PageBody>
      <PageHeader title="New ticket" description="Tell us what is going on. An agent will pick it up and answer here." />
      <form onSubmit={form.onSubmit} className="space-y-4 rounded-xl border border-slate-200 bg-white p-5" noValidate>
        {form.error && <Notice tone="error">{form.error}</Notice>}
        <TextField label="Subject (optional)" name="subject" maxLength={200} error={form.fields.subject} placeholder="A short summary" />
        <TextArea
          label="Description"
          name="description"
          rows={6}
          required
          error={form.fields.description}
          hint="What happened, what you expected, and anything you already tried."
        />
        <div className="flex gap-2">
          <Button type="submit" busy={form.busy}>
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
