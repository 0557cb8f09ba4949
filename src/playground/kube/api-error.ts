import type { Route } from './routes.js';

/** A failure the API server answers as a `Status` object. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** The `Status` body the API server sends for an error. */
export function statusBody(err: ApiError) {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: err.message,
    reason: err.reason,
    ...(err.details && { details: err.details }),
    code: err.code,
  };
}

export function notFound(route: Route): ApiError {
  const group = route.info.group ? `.${route.info.group}` : '';
  return new ApiError(404, 'NotFound', `${route.info.name}${group} "${route.name}" not found`, {
    name: route.name,
    group: route.info.group,
    kind: route.info.name,
  });
}
