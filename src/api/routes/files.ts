import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Caller } from '../../api-keys/resolver.ts';
import type { Dependencies } from '../../dependencies.ts';
import { contentTypes, filePurposes, uploadBytesMax } from '../../files/purposes.ts';
import { fileContentsPath, renderFile } from '../../files/render.ts';
import { checkFileCreate, createFile, fileContents, listFilePage, retrieveFile } from '../../files/service.ts';
import { UploadedFile } from '../../files/upload.ts';
import { ApiError, missing } from '../../platform/errors.ts';
import { parseQueryString } from '../request-parsing.ts';
import { defineRoute, presentList, presentObject, type RouteDefinition } from '../route.ts';
import { boolean, enumeration, integer, metadata, object, required, type Schema } from '../schema.ts';
import { createdFilter, listParameters, noParameters } from './common.ts';

/** The `file` part of a multipart upload; anything else (a text field, a JSON or form body) is refused naming `file`. */
function uploadedFile(): Schema<UploadedFile | undefined> {
  return {
    parse(value, param) {
      if (value === undefined) return undefined;
      if (!(value instanceof UploadedFile)) {
        throw new ApiError('invalid_value', `Invalid ${param}: send the file as a file part of a multipart/form-data request (with a filename), as the Stripe SDKs' files.create does.`, { param });
      }
      return value;
    },
    toJsonSchema: () => ({ type: 'string', format: 'binary', description: `The file, as a part of a multipart/form-data body (at most ${uploadBytesMax} bytes; less for most purposes).` }),
  };
}

const purpose = enumeration(filePurposes, { description: 'What the file is for; each purpose has its types and largest size (docs/api.md, Files).' });

export const fileRoutes = [
  defineRoute({
    method: 'POST', path: '/v1/files', operationId: 'PostFiles',
    summary: 'Upload a file (multipart/form-data with `file` and `purpose`): a business icon or logo, dispute evidence, an identity document',
    acceptsFiles: true,
    parameters: object({
      file: required(uploadedFile()),
      purpose: required(purpose),
      file_link_data: object({
        create: required(boolean()),
        expires_at: integer({ minimum: 0 }),
        metadata: metadata(),
      }, { description: 'File links are not supported yet: `create=true` is refused.' }),
    }),
    response: { kind: 'object', type: 'file' },
    precheck: checkFileCreate,
    handle: (context, params) => createFile(context.work, context.scope, params),
    present: (row, context) => presentObject(renderFile(row, context.deps.publicUrl)),
  }),
  defineRoute({
    method: 'GET', path: '/v1/files/:id', operationId: 'GetFilesId', summary: 'Retrieve a file (what it is; its bytes are at its `url`)',
    parameters: noParameters,
    response: { kind: 'object', type: 'file' },
    handle: (context) => retrieveFile(context.deps.db, context.scope, context.pathParams.id),
    present: (row, context) => presentObject(renderFile(row, context.deps.publicUrl)),
  }),
  defineRoute({
    method: 'GET', path: '/v1/files', operationId: 'GetFiles', summary: 'List files',
    parameters: object({ ...listParameters, ...createdFilter, purpose }),
    response: { kind: 'list', type: 'file' },
    handle: (context, params) => listFilePage(context.deps.db, context.scope, params, { purpose: params.purpose }),
    present: (page, context) => presentList(page, context.path, (row) => renderFile(row, context.deps.publicUrl)),
  }),
];

/** How the contents route asks the API's authentication who the caller is (and whether its key may read files). */
export type Authenticate = (request: FastifyRequest, reply: FastifyReply, route: Pick<RouteDefinition, 'method' | 'path' | 'publishable' | 'clientSecretAccess'>) => Promise<Caller>;

/** `filename*` as RFC 6266 and RFC 8187 spell a name that may hold any character. */
function attachmentDisposition(filename: string | null): string {
  if (filename === null) return 'attachment';
  return `attachment; filename*=UTF-8''${encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}

/**
 * `GET /v1/files/:id/contents`, a file's `url`: its bytes, for a secret key (or a restricted key with file read) of
 * its account and mode, as Stripe serves them at files.stripe.com. The answer is a download (`attachment`) under a
 * policy that runs nothing, so a PDF or image opened from it cannot act on Payrail's origin.
 */
export function registerFileContents(app: FastifyInstance, deps: Dependencies, authenticate: Authenticate): void {
  const route = { method: 'GET', path: fileContentsPath(':id') } as const;
  app.get<{ Params: { id: string } }>(route.path, async (request, reply) => {
    const caller = await authenticate(request, reply, route);
    // It takes no parameters: an unknown one is refused as on every other route (parseQueryString also checks the query).
    const unknown = Object.keys(parseQueryString(request.url))[0];
    if (unknown !== undefined) throw new ApiError('parameter_unknown', `Received unknown parameter: ${unknown}`, { param: unknown });
    // Payrail's ids are letters and digits: anything else names no file (and never reaches the database as text).
    if (!/^file_[0-9A-Za-z]{1,64}$/.test(request.params.id)) throw missing('file', request.params.id.slice(0, 80).toWellFormed().replace(/\u0000/g, ''));
    const { file, bytes } = await fileContents(deps.db, { accountId: caller.accountId, livemode: caller.livemode }, request.params.id);
    return reply
      .header('Content-Type', contentTypes[file.type])
      .header('Content-Disposition', attachmentDisposition(file.filename))
      .header('Content-Security-Policy', "default-src 'none'; sandbox")
      .send(bytes);
  });
}
