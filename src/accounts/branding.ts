import type { AccountSettings } from './settings.ts';

/** The image that stands for an account on its customer-facing pages: its logo, else its icon. */
export interface BrandImage {
  fileId: string;
  kind: 'logo' | 'icon';
}

/** The account's logo if it has one, else its icon, else null (the pages then show its name). */
export function brandImageOf(settings: Pick<AccountSettings, 'branding_logo' | 'branding_icon'>): BrandImage | null {
  if (settings.branding_logo !== null) return { fileId: settings.branding_logo, kind: 'logo' };
  if (settings.branding_icon !== null) return { fileId: settings.branding_icon, kind: 'icon' };
  return null;
}
