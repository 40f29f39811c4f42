// Image download and processing failures. `retryable` tells the reconciler
// whether trying again later can help (a timeout can, a 404 cannot).
export class ImageError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = "ImageError";
  }
}
