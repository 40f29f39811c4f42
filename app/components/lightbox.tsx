"use client";

// Full-size viewer for a task's images: arrow keys move between them, Esc closes.
import { useEffect, useRef } from "react";

export type LightboxImage = { url: string; alt: string; width: number; height: number };

export function Lightbox({ images, index, onIndex, onClose }: { images: LightboxImage[]; index: number; onIndex(i: number): void; onClose(): void }) {
  const closeRef = useRef<HTMLButtonElement>(null);
  const image = images[index];
  const go = (delta: number) => onIndex((index + delta + images.length) % images.length);

  useEffect(() => {
    closeRef.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") onClose();
      else if (e.key === "ArrowRight") go(1);
      else if (e.key === "ArrowLeft") go(-1);
    };
    document.addEventListener("keydown", onKey);
    const overflow = document.body.style.overflow;
    document.body.style.overflow = "hidden";
    return () => {
      document.removeEventListener("keydown", onKey);
      document.body.style.overflow = overflow;
    };
  });

  if (!image) return null;
  return (
    <div role="dialog" aria-modal="true" aria-label={`Image ${index + 1} of ${images.length}`} className="fixed inset-0 z-50 flex items-center justify-center bg-black/90 p-4" onClick={onClose}>
      {/* eslint-disable-next-line @next/next/no-img-element */}
      <img src={image.url} alt={image.alt} className="max-h-full max-w-full object-contain" style={{ aspectRatio: `${image.width} / ${image.height}` }} onClick={(e) => e.stopPropagation()} />
      <div className="absolute top-3 right-3 flex gap-2" onClick={(e) => e.stopPropagation()}>
        <a href={`${image.url}?download=1`} download className="btn-secondary min-h-9">Download</a>
        <button ref={closeRef} type="button" className="btn-secondary min-h-9" onClick={onClose} aria-label="Close">✕</button>
      </div>
      {images.length > 1 && (
        <>
          <button type="button" aria-label="Previous image" className="btn-secondary absolute left-3 min-h-11" onClick={(e) => (e.stopPropagation(), go(-1))}>←</button>
          <button type="button" aria-label="Next image" className="btn-secondary absolute right-3 min-h-11" onClick={(e) => (e.stopPropagation(), go(1))}>→</button>
          <p className="absolute bottom-3 text-sm text-zinc-300">{index + 1} / {images.length}</p>
        </>
      )}
    </div>
  );
}
