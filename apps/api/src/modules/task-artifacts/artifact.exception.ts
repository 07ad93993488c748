import {
  BadRequestException,
  ConflictException,
  HttpException,
  NotFoundException,
  PayloadTooLargeException,
} from '@nestjs/common';

export enum ArtifactErrorCode {
  /** `path` is malformed, or leads outside the task's directory (`..`, absolute, a symbolic link). */
  BadPath = 'ARTIFACT_BAD_PATH',
  NotFound = 'ARTIFACT_NOT_FOUND',
  /** The upload is larger than `SEMAPHORE_MAX_ARTIFACT_BYTES`. */
  TooLarge = 'ARTIFACT_TOO_LARGE',
  /** The path is taken by a directory, or one of its parents is a file. */
  PathTaken = 'ARTIFACT_PATH_TAKEN',
}

/** A problem with one artifact, its message fit for the `{"error": ...}` body (it names `path`, never a disk path). */
export class ArtifactException extends Error {
  constructor(
    readonly code: ArtifactErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ArtifactException';
  }
}

/** The HTTP answer to an artifact problem. */
export function artifactHttpError(err: ArtifactException): HttpException {
  const body = { error: err.message };
  switch (err.code) {
    case ArtifactErrorCode.BadPath:
      return new BadRequestException(body);
    case ArtifactErrorCode.NotFound:
      return new NotFoundException(body);
    case ArtifactErrorCode.TooLarge:
      return new PayloadTooLargeException(body);
    case ArtifactErrorCode.PathTaken:
      return new ConflictException(body);
  }
}
