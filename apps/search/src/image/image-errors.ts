/** Why an image was refused, and the HTTP status that says so (never a 5xx: the bytes are the caller's). */
export type ImageProblem =
  | 'empty' // 400: no bytes
  | 'undecodable' // 400: claims to be an image but is not a readable one
  | 'too_large' // 413: more bytes than the limit
  | 'too_many_pixels' // 413: a small file that would decode to a huge bitmap
  | 'unsupported_type'; // 415: not JPEG, PNG or WebP

const STATUS: Record<ImageProblem, 400 | 413 | 415> = {
  empty: 400,
  undecodable: 400,
  too_large: 413,
  too_many_pixels: 413,
  unsupported_type: 415,
};

export class ImageRejectedError extends Error {
  readonly status: 400 | 413 | 415;
  constructor(
    readonly problem: ImageProblem,
    message: string,
  ) {
    super(message);
    this.name = 'ImageRejectedError';
    this.status = STATUS[problem];
  }
}

/** An image URL that could not be fetched; `transient` when trying again later may work. */
export class ImageFetchError extends Error {
  constructor(
    message: string,
    readonly transient: boolean,
  ) {
    super(message);
    this.name = 'ImageFetchError';
  }
}
