// A portal task in the seed's status shape. The seed knows four statuses: a
// task still waiting or queued in the portal is "submitted" to the caller.
import type { Task, TaskImage } from "../generated/prisma/client";
import { signedImageUrl } from "./signed-url";

export type SeedStatus = "submitted" | "processing" | "succeed" | "failed";

export function seedStatusOf(status: Task["status"]): SeedStatus {
  return status === "waiting" || status === "queued" ? "submitted" : status;
}

export type SeedStatusRow = Pick<Task, "id" | "status" | "statusMsg" | "createdAt" | "updatedAt"> & { images: Pick<TaskImage, "index">[] };

export function toSeedStatusBody(task: SeedStatusRow) {
  const status = seedStatusOf(task.status);
  return {
    task_id: task.id,
    task_status: status,
    task_status_msg: status === "failed" ? task.statusMsg : "",
    task_result: {
      images:
        status === "succeed" ? [...task.images].sort((a, b) => a.index - b.index).map((i) => ({ index: i.index, url: signedImageUrl(task.id, i.index) })) : [],
    },
    created_at: task.createdAt.getTime(),
    updated_at: task.updatedAt.getTime(),
  };
}

export function toSeedSubmitBody(task: Task) {
  return {
    data: {
      code: 0,
      message: "SUCCEED",
      request_id: task.id,
      data: {
        task_id: task.id,
        task_status: seedStatusOf(task.status),
        created_at: task.createdAt.getTime(),
        updated_at: task.updatedAt.getTime(),
      },
    },
  };
}
