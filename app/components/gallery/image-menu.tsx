"use client";

// Every action on one image as a menu (Radix: arrow keys, typeahead, Esc,
// focus back to its button). On touch it is the way in; on desktop it sits
// beside the hover buttons.
import * as Menu from "@radix-ui/react-dropdown-menu";
import Link from "next/link";
import type { TaskDto } from "@/lib/tasks/schema";
import { deleteImageWithUndo, deleteWithUndo, loadAsReference, loadSettings, rerun, setFavorite, share } from "./image-actions";

const item =
  "flex min-h-9 cursor-default select-none items-center rounded-md px-2.5 text-sm outline-none data-[highlighted]:bg-zinc-100 dark:data-[highlighted]:bg-zinc-800";

export function ImageMenu({
  task,
  index,
  onOpen,
  onSelect,
  label,
}: {
  task: TaskDto;
  index: number | null;
  onOpen?(): void;
  onSelect?(): void;
  label: string;
}) {
  const image = index === null ? undefined : task.images.find((i) => i.index === index);
  return (
    // Not modal: a modal menu would lock scrolling with an injected style element.
    <Menu.Root modal={false}>
      <Menu.Trigger
        aria-label={label}
        data-testid="image-menu"
        className="grid size-9 place-items-center rounded-full bg-black/55 text-lg leading-none text-white backdrop-blur hover:bg-black/75"
      >
        <span aria-hidden>⋯</span>
      </Menu.Trigger>
      <Menu.Portal>
        <Menu.Content align="end" sideOffset={4} className="card z-50 min-w-52 p-1 shadow-lg" loop>
          {image && onOpen && (
            <Menu.Item className={item} onSelect={onOpen}>
              Open
            </Menu.Item>
          )}
          {image && (
            <Menu.Item className={item} asChild>
              <a href={`${image.url}?download=1`} download>
                Download
              </a>
            </Menu.Item>
          )}
          {task.images.length > 1 && (
            <Menu.Item className={item} asChild>
              <a href={`/api/tasks/${task.id}/download`} download>
                Download all {task.images.length} as ZIP
              </a>
            </Menu.Item>
          )}
          {image && (
            <Menu.Item className={item} onSelect={() => void setFavorite(task, image.index, !image.favorite)}>
              {image.favorite ? "Remove from favourites" : "Add to favourites"}
            </Menu.Item>
          )}
          {onSelect && (
            <Menu.Item className={item} onSelect={onSelect}>
              Select
            </Menu.Item>
          )}
          <Menu.Separator className="my-1 h-px bg-zinc-200 dark:bg-zinc-800" />
          <Menu.Item className={item} onSelect={() => loadSettings(task)}>
            Use settings
          </Menu.Item>
          {image && (
            <Menu.Item className={item} onSelect={() => loadAsReference(task, image.index)}>
              Use as reference
            </Menu.Item>
          )}
          <Menu.Item className={item} onSelect={() => void rerun(task)}>
            {task.status === "failed" ? "Try again" : "Re-run"}
          </Menu.Item>
          {task.images.length > 0 && (
            <Menu.Item className={item} onSelect={() => void share(task, image?.index)}>
              {image ? "Share link to this image" : "Share link"}
            </Menu.Item>
          )}
          <Menu.Item className={item} asChild>
            <Link href={`/tasks/${task.id}`}>Task details</Link>
          </Menu.Item>
          <Menu.Separator className="my-1 h-px bg-zinc-200 dark:bg-zinc-800" />
          {image && task.images.length > 1 && (
            <Menu.Item className={`${item} text-red-700 dark:text-red-400`} onSelect={() => deleteImageWithUndo(task, image.index)}>
              Delete image
            </Menu.Item>
          )}
          <Menu.Item className={`${item} text-red-700 dark:text-red-400`} onSelect={() => deleteWithUndo(task)}>
            {task.images.length > 1 ? `Delete task (${task.images.length} images)` : "Delete"}
          </Menu.Item>
        </Menu.Content>
      </Menu.Portal>
    </Menu.Root>
  );
}
