import type { FastifyInstance } from 'fastify';
import type { BrandImage } from '../../accounts/branding.ts';
import type { Dependencies } from '../../dependencies.ts';
import { currentBrandingImage } from '../../files/service.ts';
import { contentTypes } from '../../files/purposes.ts';
import { escapeHtml } from '../html.ts';

/** How long a shopper's browser (or a shared cache) may keep an icon or logo before asking again, in seconds. */
export const brandingImageCacheSeconds = 300;

/** The public address of an account's icon or logo, which the payment pages show. */
export function brandingImagePath(fileId: string): string {
  return `/c/branding/${fileId}`;
}

/**
 * Whom the shopper pays, as the page's heading shows it: the account's logo or icon, whose text alternative is the
 * account's name (so the heading reads the same to a screen reader either way), or the name itself.
 */
export function brandMarkHtml(name: string, image: BrandImage | null): string {
  if (image === null) return escapeHtml(name);
  return `<img class="brand-${image.kind}" src="${escapeHtml(brandingImagePath(image.fileId))}" alt="${escapeHtml(name)}">`;
}

/** The style of a brand mark: a logo up to 48 px high, an icon a 40 px rounded square. */
export const brandMarkStyle = '.brand-logo{display:block;max-height:48px;max-width:min(100%,16rem);height:auto;width:auto;margin-bottom:.5rem}.brand-icon{display:block;width:40px;height:40px;border-radius:8px;object-fit:cover;margin-bottom:.5rem}';

/**
 * `GET /c/branding/<file id>`: an account's current branding icon or logo, for the shopper's browser on the payment
 * pages, without a key. Only a file that is some account's icon or logo right now is served (no other upload, and not
 * an icon the account has replaced), with the type read from its bytes at upload, `nosniff`, a policy that runs
 * nothing, and no use from other sites' pages (Cross-Origin-Resource-Policy). Anything else is the same 404.
 */
export function registerBrandingImages(pages: FastifyInstance, deps: Dependencies): void {
  pages.get<{ Params: { file: string } }>(brandingImagePath(':file'), async (request, reply) => {
    const id = request.params.file;
    const image = /^file_[0-9A-Za-z]{1,64}$/.test(id) ? await currentBrandingImage(deps.db, id) : undefined;
    if (!image) return reply.status(404).type('text/plain; charset=utf-8').send('Not found');
    return reply
      .header('Content-Type', contentTypes[image.type])
      .header('X-Content-Type-Options', 'nosniff')
      .header('Content-Security-Policy', "default-src 'none'; sandbox")
      .header('Cross-Origin-Resource-Policy', 'same-origin')
      .header('Cache-Control', `public, max-age=${brandingImageCacheSeconds}`)
      .send(image.bytes);
  });
}
