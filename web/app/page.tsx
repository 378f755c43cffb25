import { LandingActions } from "@/components/auth/LandingActions";

export default function LandingPage() {
  return (
    <main className="flex min-h-dvh flex-col">
      <div className="mx-auto flex w-full max-w-3xl flex-1 flex-col justify-center px-6 py-16">
        <p className="text-sm font-semibold uppercase tracking-wider text-brand-600">Support, live</p>
        <h1 className="mt-3 text-4xl font-semibold tracking-tight text-slate-900 sm:text-5xl">MyRelay</h1>
        <p className="mt-4 max-w-xl text-lg text-slate-600">A real-time ticket and support workspace for teams.</p>
        <div className="mt-8">
          <LandingActions />
        </div>
        <ul className="mt-14 grid gap-4 text-sm text-slate-600 sm:grid-cols-3">
          <li className="rounded-xl border border-slate-200 bg-white p-4">
            <p className="font-medium text-slate-900">Tickets with a lifecycle</p>
            Open, assigned, resolved, closed: every case has an owner and a state.
          </li>
          <li className="rounded-xl border border-slate-200 bg-white p-4">
            <p className="font-medium text-slate-900">A live room per ticket</p>
            Customers and agents talk in real time, and nothing said is ever lost.
          </li>
          <li className="rounded-xl border border-slate-200 bg-white p-4">
            <p className="font-medium text-slate-900">A clear view for admins</p>
            Workload, people online and every ticket at a glance.
          </li>
        </ul>
      </div>
    </main>
  );
}
