import { requireUser } from "@/lib/auth/session";

export default async function HomePage() {
  const user = await requireUser("/");
  return (
    <section>
      <h1 className="text-2xl font-semibold">Create</h1>
      <p className="text-zinc-500">Signed in as {user.email}</p>
    </section>
  );
}
