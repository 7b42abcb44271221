/**
 * The first of `supported` that a browser's Accept-Language asks for, by quality (q=0 means "not this one"), compared
 * by primary language (`de-DE` asks for `de`); undefined when it asks for none of them. Pages pick their language
 * with it (Checkout, hosted onboarding). The header is read up to its first 1,000 characters.
 */
export function preferredLanguage<T extends string>(acceptLanguage: string | undefined, supported: readonly T[]): T | undefined {
  const preferred = (acceptLanguage ?? '').slice(0, 1000).split(',')
    .map((part) => {
      const [tag, ...parameters] = part.trim().split(';');
      const quality = parameters.map((parameter) => /^q=([0-9.]+)$/.exec(parameter.trim())?.[1]).find((value) => value !== undefined);
      return { language: tag.toLowerCase().split('-')[0], quality: quality === undefined ? 1 : Number(quality) };
    })
    .filter((entry) => entry.language !== '' && entry.quality > 0)
    .sort((a, b) => b.quality - a.quality);
  for (const { language } of preferred) if ((supported as readonly string[]).includes(language)) return language as T;
  return undefined;
}
