// The one interface the portal talks to, whichever upstream is configured.
import type { KlingImageRequest, KlingTaskStatus } from "./schema";

export type { KlingTaskStatus };

export type UpstreamImage = { index: number; url: string };

/** An upstream task as every provider reports it. */
export type UpstreamTask = {
  taskId: string;
  status: KlingTaskStatus;
  statusMsg: string;
  images: UpstreamImage[];
  createdAt?: number;
  updatedAt?: number;
};

export type CallOptions = { signal?: AbortSignal };
export type SubmitOptions = CallOptions & {
  /** The portal's own task id, sent where the upstream supports it (external_task_id). */
  externalTaskId?: string;
  /** Overrides the client's retry count (e.g. 0 for an inline submit the reconciler can retry). */
  maxRetries?: number;
};

export interface KlingProvider {
  readonly name: "local" | "appypie" | "kling";
  submit(request: KlingImageRequest, opts?: SubmitOptions): Promise<UpstreamTask>;
  getStatus(taskId: string, opts?: CallOptions & { maxRetries?: number }): Promise<UpstreamTask>;
  /**
   * Finds the upstream task made for this external_task_id (the portal's task id), or null when there
   * is none. Only where the upstream supports external ids (official API); undefined elsewhere.
   */
  lookup?(externalTaskId: string, opts?: CallOptions & { maxRetries?: number }): Promise<UpstreamTask | null>;
  /** Parses a callback body; throws KlingError("invalid_response") when it is not a task status. */
  parseCallback(body: unknown): UpstreamTask;
}
