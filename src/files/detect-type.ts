import type { FileType } from './purposes.ts';

/**
 * A file's type from its first bytes (its "magic number"), never from the name or the Content-Type the client sent:
 * a page that shows an account's logo must not be handed HTML or SVG labelled as a PNG.
 */
const signatures: { type: FileType; bytes: number[] }[] = [
  { type: 'png', bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { type: 'jpg', bytes: [0xff, 0xd8, 0xff] },
  { type: 'gif', bytes: [...Buffer.from('GIF87a')] },
  { type: 'gif', bytes: [...Buffer.from('GIF89a')] },
  { type: 'pdf', bytes: [...Buffer.from('%PDF-')] },
];

/** The type the bytes start with, or undefined for anything else (HTML, SVG, executables, text). */
export function detectFileType(data: Uint8Array): FileType | undefined {
  return signatures.find(({ bytes }) => data.length >= bytes.length && bytes.every((byte, index) => data[index] === byte))?.type;
}
