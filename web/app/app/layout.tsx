import { AppGate } from "@/components/shell/AppGate";

export default function AppLayout({ children }: { children: React.ReactNode }) {
  return <AppGate>{children}</AppGate>;
}
