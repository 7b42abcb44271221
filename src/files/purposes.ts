/**
 * What Payrail takes for each file purpose, as Stripe's file upload guide lists it: the types (found in the file's
 * bytes) and the largest size. Purposes Stripe has that Payrail does not take yet (customer_signature with its SVGs,
 * pci_document, tax_document_user_upload, terminal_reader_splashscreen) are refused naming `purpose`.
 */

/** The types Payrail recognises by their first bytes, named as Stripe's `file.type` names them. */
export const fileTypes = ['png', 'jpg', 'gif', 'pdf'] as const;
export type FileType = (typeof fileTypes)[number];

const kibibyte = 1024;
const mebibyte = 1024 * kibibyte;

export interface PurposeRule {
  types: readonly FileType[];
  sizeBytesMax: number;
  /**
   * Whether the file can be read back through `url` (`GET /v1/files/:id/contents`). Identity and verification
   * documents cannot, at Stripe as here: once handed over they are not served again, so a leaked key cannot read them.
   */
  downloadable: boolean;
}

export const purposeRules = {
  business_icon: { types: ['png', 'jpg', 'gif'], sizeBytesMax: 512 * kibibyte, downloadable: true },
  business_logo: { types: ['png', 'jpg', 'gif'], sizeBytesMax: 512 * kibibyte, downloadable: true },
  dispute_evidence: { types: ['pdf', 'jpg', 'png'], sizeBytesMax: 5 * mebibyte, downloadable: true },
  identity_document: { types: ['pdf', 'jpg', 'png'], sizeBytesMax: 16 * mebibyte, downloadable: false },
  additional_verification: { types: ['pdf', 'jpg', 'png'], sizeBytesMax: 16 * mebibyte, downloadable: false },
  account_requirement: { types: ['pdf', 'jpg', 'png'], sizeBytesMax: 16 * mebibyte, downloadable: false },
} as const satisfies Record<string, PurposeRule>;

export type FilePurpose = keyof typeof purposeRules;
export const filePurposes = Object.keys(purposeRules) as FilePurpose[];

/** The purposes whose files can be an account's branding, and the setting each one fills. */
export const brandingPurposes = ['business_icon', 'business_logo'] as const satisfies readonly FilePurpose[];

/** The largest file of any purpose: what an upload may carry before its purpose is known. */
export const uploadBytesMax = Math.max(...Object.values(purposeRules).map((rule: PurposeRule) => rule.sizeBytesMax));

/** A size as people read it: `512 KB`, `16 MB` (binary units, as the limits are). */
export function displaySize(bytes: number): string {
  return bytes >= mebibyte ? `${bytes / mebibyte} MB` : `${bytes / kibibyte} KB`;
}

/** The HTTP content type of each file type. */
export const contentTypes: Record<FileType, string> = { png: 'image/png', jpg: 'image/jpeg', gif: 'image/gif', pdf: 'application/pdf' };
