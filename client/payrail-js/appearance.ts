/**
 * The `appearance` option, as Stripe's: a theme and a few variables, applied inside the frame as CSS custom
 * properties. Every value is checked against a narrow grammar before it is used, so a merchant's (or an attacker's)
 * string can never close a declaration, load a URL or inject a rule: a value that does not fit is dropped and named.
 */

export type Theme = 'stripe' | 'night' | 'flat';
export const themes: readonly Theme[] = ['stripe', 'night', 'flat'];

export type VariableName =
  | 'colorPrimary'
  | 'colorBackground'
  | 'colorText'
  | 'colorDanger'
  | 'fontFamily'
  | 'fontSizeBase'
  | 'borderRadius'
  | 'spacingUnit';

export interface Appearance {
  theme?: Theme;
  variables?: Partial<Record<VariableName, string>>;
}

/** Longest value accepted for any variable. */
export const variableLengthMax = 200;

const color = /^(?:#[0-9a-fA-F]{3,4}|#[0-9a-fA-F]{6}|#[0-9a-fA-F]{8}|(?:rgb|rgba|hsl|hsla)\(\s*[0-9.%]+(?:\s*[,\s/]\s*[0-9.%]+){2,3}\s*\)|[a-zA-Z]{3,20})$/;
const length = /^(?:0|[0-9]{1,3}(?:\.[0-9]{1,3})?(?:px|rem|em|%))$/;
/** Font names, comma-separated, optionally quoted; no URL, no escape, no semicolon or brace. */
const fontFamily = /^(?:\s*(?:[A-Za-z0-9 _-]{1,60}|"[A-Za-z0-9 _-]{1,60}"|'[A-Za-z0-9 _-]{1,60}')\s*)(?:,\s*(?:[A-Za-z0-9 _-]{1,60}|"[A-Za-z0-9 _-]{1,60}"|'[A-Za-z0-9 _-]{1,60}')\s*){0,9}$/;

const grammars: Record<VariableName, RegExp> = {
  colorPrimary: color,
  colorBackground: color,
  colorText: color,
  colorDanger: color,
  fontFamily,
  fontSizeBase: length,
  borderRadius: length,
  spacingUnit: length,
};

/** The CSS custom property each variable sets inside the frame. */
export function cssPropertyOf(name: VariableName): string {
  return `--payrail-${name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

const themeVariables: Record<Theme, Record<VariableName, string>> = {
  stripe: { colorPrimary: '#0570de', colorBackground: '#ffffff', colorText: '#30313d', colorDanger: '#df1b41', fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif', fontSizeBase: '16px', borderRadius: '4px', spacingUnit: '4px' },
  night: { colorPrimary: '#0085ff', colorBackground: '#30313d', colorText: '#ffffff', colorDanger: '#fe87a1', fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif', fontSizeBase: '16px', borderRadius: '5px', spacingUnit: '4px' },
  flat: { colorPrimary: '#675dff', colorBackground: '#f5f5f7', colorText: '#1a1b25', colorDanger: '#df1b41', fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif', fontSizeBase: '16px', borderRadius: '0px', spacingUnit: '4px' },
};

export interface ResolvedAppearance {
  theme: Theme;
  /** CSS custom property -> value, every value checked. */
  properties: Record<string, string>;
  /** What was refused, for a console warning (the merchant's mistake, never the shopper's). */
  refused: string[];
}

/** Checks an `appearance` object of unknown shape (it crossed a postMessage or a URL) and resolves it over its theme. */
export function resolveAppearance(input: unknown): ResolvedAppearance {
  const refused: string[] = [];
  const source = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
  let theme: Theme = 'stripe';
  if (source.theme !== undefined) {
    if (typeof source.theme === 'string' && (themes as readonly string[]).includes(source.theme)) theme = source.theme as Theme;
    else refused.push('theme');
  }
  const values: Record<VariableName, string> = { ...themeVariables[theme] };
  const variables = typeof source.variables === 'object' && source.variables !== null ? (source.variables as Record<string, unknown>) : {};
  for (const [name, value] of Object.entries(variables)) {
    if (!Object.prototype.hasOwnProperty.call(grammars, name)) {
      refused.push(`variables.${name}`);
      continue;
    }
    const variable = name as VariableName;
    if (typeof value !== 'string' || value.length > variableLengthMax || !grammars[variable].test(value)) {
      refused.push(`variables.${name}`);
      continue;
    }
    values[variable] = value;
  }
  const properties: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) properties[cssPropertyOf(name as VariableName)] = value;
  return { theme, properties, refused };
}
