import { ButtonLink } from "@/components/ui/Button";
import { PageMessage } from "@/components/ui/Notice";

export default function NotFound() {
  return (
    <PageMessage title="Page not found" action={<ButtonLink href="/">Go to MyRelay</ButtonLink>}>
      There is nothing at this address.
    </PageMessage>
  );
}
