import { readFile } from 'node:fs/promises';
import type { FastifyPluginAsync } from 'fastify';
import { packagePath } from '../paths.js';

const TYPES: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', svg: 'image/svg+xml' };

/**
 * The bundled example's pictures (examples/images/), so the example edition shows real
 * images offline: its feed's relative image URLs resolve against `{PUBLIC_URL}/examples/`.
 * Only plain file names in that one folder: nothing else of the checkout is reachable.
 */
export const exampleImageRoutes: FastifyPluginAsync = async (f) => {
  f.get<{ Params: { file: string } }>('/examples/images/:file', async (req, reply) => {
    const m = /^[a-z0-9][a-z0-9-]*\.(png|jpe?g|svg)$/.exec(req.params.file);
    const body = m ? await readFile(packagePath('examples', 'images', req.params.file)).catch(() => null) : null;
    if (!body) return reply.callNotFound();
    return reply
      .header('content-type', TYPES[m![1]!]!)
      .header('cache-control', 'public, max-age=86400')
      .header('x-content-type-options', 'nosniff')
      .send(body);
  });
};
