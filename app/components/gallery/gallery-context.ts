"use client";

// What the gallery lends its tiles: opening the viewer on an image, whether
// only favourites are shown, and the selection.
import { createContext, useContext } from "react";

export type GalleryApi = {
  open(taskId: string, index: number, opener: HTMLElement | null): void;
  favoritesOnly: boolean;
  /** Selected images, as "<taskId>.<index>". */
  selected: ReadonlySet<string>;
  /** Shift extends from the last one chosen, like a file manager. */
  select(key: string, on: boolean, shift: boolean): void;
};

export const GalleryContext = createContext<GalleryApi | null>(null);

export function useGallery(): GalleryApi {
  const api = useContext(GalleryContext);
  if (!api) throw new Error("useGallery outside a gallery");
  return api;
}

/** Flex values that keep every tile at its aspect ratio in justified rows (see globals.css .gallery). */
export const tileFlex = (width: number, height: number) => {
  const a = width / height;
  return { flexGrow: a, flexBasis: `calc(var(--row-h) * ${a.toFixed(4)})` };
};
