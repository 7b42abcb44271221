import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { uploadBytesMax } from '../files/purposes.ts';
import { UploadedFile } from '../files/upload.ts';
import { ApiError } from '../platform/errors.ts';
import { formParametersMax, parseForm } from './request-parsing.ts';
import type { RouteDefinition } from './route.ts';
import { isStorableText } from './text.ts';

/**
 * multipart/form-data, which Stripe's API takes for file uploads only (`POST /v1/files`, what the SDKs' files.create
 * sends). Parsing is @fastify/multipart's (the Fastify team's plugin over @fastify/busboy, kept in step with Fastify
 * and used widely): its content-type parser only marks the request, so nothing is read until the route, once the
 * caller is authenticated, asks for the body with `readMultipartBody`.
 */

/** Largest text field of a multipart body (`purpose`, `file_link_data[...]`, `expand[]`), in bytes. */
export const multipartFieldBytesMax = 1024;
/** Most text fields in a multipart body. */
export const multipartFieldsMax = 50;

const notTaken = () => new ApiError('unsupported_media_type', 'Unsupported Content-Type: multipart/form-data is taken by POST /v1/files only; send application/x-www-form-urlencoded or application/json.');

/**
 * Registers the parser. A multipart body sent anywhere but to a route that takes files (`routes` with `acceptsFiles`)
 * is refused with 415 before its handler runs, as it was before Payrail took any: the payment pages, provider webhooks
 * and every other API route keep seeing only the bodies they expect.
 */
export function registerMultipart(app: FastifyInstance, routes: readonly Pick<RouteDefinition, 'method' | 'path' | 'acceptsFiles'>[]): void {
  const takingFiles = new Set(routes.filter((route) => route.acceptsFiles).map((route) => `${route.method} ${route.path}`));
  void app.register(multipart, { throwFileSizeLimit: true });
  app.addHook('preValidation', async (request) => {
    if (request.isMultipart() && !takingFiles.has(`${request.method} ${request.routeOptions.url}`)) throw notTaken();
  });
}

/** The plugin's errors (busboy's limits, a broken body) as Stripe's, naming the parameter where there is one. */
function toApiError(error: unknown): unknown {
  if (error instanceof ApiError) return error;
  switch ((error as { code?: string }).code) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return new ApiError('invalid_value', `The file is too large: files may be at most ${uploadBytesMax} bytes (and less for most purposes).`, { param: 'file' });
    case 'FST_FILES_LIMIT':
      return new ApiError('invalid_value', 'Send one file per request.', { param: 'file' });
    case 'FST_FIELDS_LIMIT':
    case 'FST_PARTS_LIMIT':
      return new ApiError('invalid_request_body', `Invalid request: a multipart body may have at most ${multipartFieldsMax} fields and one file.`);
    case 'FST_PROTO_VIOLATION':
      return new ApiError('invalid_request_body', 'Invalid request: a multipart field name is not allowed.');
  }
  const message = (error as Error)?.message ?? 'malformed multipart body';
  return new ApiError('invalid_request_body', `Invalid request: the multipart/form-data body could not be read (${message}).`);
}

/**
 * The parameters of a multipart request as those of a form body (bracket notation: `file_link_data[create]=true`),
 * with the file part as an UploadedFile under its field name. Only a route that takes files may read one
 * (`acceptsFiles`); others answer 415 as for any content type they do not take.
 */
export async function readMultipartBody(request: FastifyRequest, acceptsFiles: boolean): Promise<Record<string, unknown>> {
  if (!acceptsFiles) throw notTaken();
  const fields: string[] = [];
  const files: [string, UploadedFile][] = [];
  try {
    const parts = request.parts({ limits: { fileSize: uploadBytesMax, files: 1, fields: multipartFieldsMax, fieldSize: multipartFieldBytesMax, parts: multipartFieldsMax + 1 } });
    for await (const part of parts) {
      if (part.type === 'file') {
        const data = await part.toBuffer();
        const filename = part.filename === '' || !isStorableText(part.filename) ? null : part.filename;
        files.push([part.fieldname, new UploadedFile(data, filename, part.mimetype)]);
      } else {
        if (part.valueTruncated) throw new ApiError('invalid_string_length', `Invalid ${part.fieldname}: multipart fields are at most ${multipartFieldBytesMax} bytes.`, { param: part.fieldname });
        fields.push(`${encodeURIComponent(part.fieldname)}=${encodeURIComponent(String(part.value))}`);
      }
    }
  } catch (error) {
    throw toApiError(error);
  }
  if (fields.length > formParametersMax) throw new ApiError('invalid_request_body', 'Invalid request: too many parameters.');
  const body = parseForm(fields.join('&'));
  for (const [name, file] of files) {
    if (!isStorableText(name) || name.includes('[')) throw new ApiError('invalid_value', `Invalid ${name}: a file goes in the field \`file\`.`, { param: name });
    body[name] = file;
  }
  return body;
}
