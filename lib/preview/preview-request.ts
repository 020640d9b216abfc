/** The part of the platform's request the page needs (Express and Fastify both have it). */
export interface PreviewRequest {
  originalUrl?: string;
  url: string;
}

/**
 * Where the page is mounted, as the browser sees it (global prefix
 * included): the request's path without `suffix` (the route below the
 * mount path) and without trailing slashes.
 * @internal
 */
export function basePath(req: PreviewRequest, suffix: RegExp): string {
  const path = (req.originalUrl ?? req.url).split('?')[0];
  return path.replace(suffix, '').replace(/\/+$/, '');
}
