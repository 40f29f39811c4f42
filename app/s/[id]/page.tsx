// /s/<id>: a shared image (or task), public and read-only, with Open Graph tags
// so a pasted link previews. A revoked link is a 404 from the next request on.
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { cache } from "react";
import { getConfig } from "@/lib/config";
import { getSharedImages, sharedImageUrl } from "@/lib/shares/shares";

type Params = { params: Promise<{ id: string }> };

const findShare = cache((id: string) => getSharedImages(id));

const shortPrompt = (prompt: string) => {
  const flat = prompt.replace(/\s+/g, " ").trim();
  return flat.length > 60 ? `${flat.slice(0, 59)}…` : flat;
};

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const share = await findShare((await params).id);
  if (!share) return { title: "Not found" };
  const first = share.images[0];
  const title = shortPrompt(share.prompt);
  const description = share.prompt.length > 200 ? `${share.prompt.slice(0, 199)}…` : share.prompt;
  return {
    title,
    description,
    metadataBase: new URL(getConfig().PUBLIC_URL),
    // A link is shared with people, not with search engines.
    robots: { index: false, follow: false },
    openGraph: {
      type: "website",
      title,
      description,
      url: `/s/${share.id}`,
      siteName: "Kling Portal",
      images: first ? [{ url: sharedImageUrl(share.id, first.index), width: first.width, height: first.height, alt: title }] : [],
    },
    twitter: { card: "summary_large_image", title, description },
  };
}

export default async function SharedPage({ params }: Params) {
  const share = await findShare((await params).id);
  if (!share) notFound();
  const single = share.images.length === 1;
  return (
    <div className="flex min-h-dvh flex-col">
      <header className="border-b border-zinc-200 dark:border-zinc-800">
        <div className="mx-auto flex h-14 max-w-6xl items-center gap-2 px-4 sm:px-6">
          <Link href="/" className="flex items-center gap-2 font-semibold">
            <span aria-hidden className="grid size-7 place-items-center rounded-lg bg-brand-600 text-sm text-white">
              K
            </span>
            Kling Portal
          </Link>
          <span className="ml-auto text-xs text-zinc-600 dark:text-zinc-400">Shared image</span>
        </div>
      </header>
      <main className="mx-auto w-full max-w-6xl flex-1 space-y-5 px-4 py-6 sm:px-6">
        <h1 className="whitespace-pre-wrap text-lg font-medium">{share.prompt}</h1>
        <section aria-label="Images" className={single ? "" : "flex flex-wrap gap-3"}>
          {share.images.map((img) => (
            <figure
              key={img.index}
              data-testid="shared-image"
              className="overflow-hidden rounded-xl border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900"
              // Each image at its own shape; several share a row like the gallery's justified rows.
              style={
                single
                  ? { maxWidth: `min(100%, calc(75dvh * ${img.width / img.height}))` }
                  : { flex: `${img.width / img.height} 1 ${Math.round((img.width / img.height) * 260)}px` }
              }
            >
              <img
                src={sharedImageUrl(share.id, img.index)}
                alt={`${shortPrompt(share.prompt)} (${img.index + 1})`}
                width={img.width}
                height={img.height}
                className="h-auto w-full"
              />
              <figcaption className="flex items-center justify-between px-3 py-2 text-xs text-zinc-600 dark:text-zinc-400">
                <span>
                  {img.width} × {img.height}
                </span>
                <a href={`${sharedImageUrl(share.id, img.index)}?download=1`} download className="font-medium text-brand-600 dark:text-brand-400">
                  Download
                </a>
              </figcaption>
            </figure>
          ))}
        </section>
        <dl className="grid max-w-md grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
          {share.negativePrompt && (
            <>
              <dt className="text-zinc-600 dark:text-zinc-400">Negative prompt</dt>
              <dd>{share.negativePrompt}</dd>
            </>
          )}
          <dt className="text-zinc-600 dark:text-zinc-400">Aspect ratio</dt>
          <dd>{share.aspectRatio}</dd>
          <dt className="text-zinc-600 dark:text-zinc-400">Created</dt>
          <dd>
            <time dateTime={share.createdAt.toISOString()}>{share.createdAt.toISOString().slice(0, 10)}</time>
          </dd>
        </dl>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          Made with Kling AI text-to-image.{" "}
          <Link href="/signup" className="text-brand-600 dark:text-brand-400">
            Make your own
          </Link>
          .
        </p>
      </main>
    </div>
  );
}
