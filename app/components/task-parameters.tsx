// A task's parameters as a definition list, shared by the task page and the
// viewer's details panel (with `image`, the size and place of that image).
import type { TaskDto } from "@/lib/tasks/schema";
import { RelativeTime } from "./relative-time";
import { costText } from "./task-cost";

export function TaskParameters({
  task,
  image,
  withId = false,
  className = "",
}: {
  task: TaskDto;
  image?: { index: number; width: number; height: number };
  withId?: boolean;
  className?: string;
}) {
  const rows: [string, React.ReactNode][] = [
    ...(image
      ? ([
          ["Size", `${image.width} × ${image.height}`],
          ["Image", `${image.index + 1} of ${task.images.length}`],
        ] as [string, React.ReactNode][])
      : [["Images", task.n] as [string, React.ReactNode]]),
    ["Aspect ratio", task.aspect_ratio],
    ["Cost", costText(task)],
    ...(task.image
      ? ([
          [
            "Reference",
            <span key="r" className="block truncate" title={task.image}>
              {task.image === "uploaded" ? "Uploaded image" : task.image}
            </span>,
          ],
          ["Strength", task.image_fidelity.toFixed(2)],
        ] as [string, React.ReactNode][])
      : []),
    ["Created", <RelativeTime key="c" iso={task.createdAt} />],
    ...(withId
      ? ([
          [
            "Task id",
            <span key="i" className="block truncate font-mono text-xs leading-5" title={task.id}>
              {task.id}
            </span>,
          ],
        ] as [string, React.ReactNode][])
      : []),
  ];
  return (
    <dl className={`grid grid-cols-2 gap-y-1 ${className}`}>
      {rows.map(([term, value]) => (
        <div key={term} className="contents">
          <dt className="text-zinc-600 dark:text-zinc-400">{term}</dt>
          <dd className="min-w-0">{value}</dd>
        </div>
      ))}
    </dl>
  );
}
