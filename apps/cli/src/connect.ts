import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { applyEdits, modify, parse as parseJsonc, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { parse as parseToml, stringify as stringifyToml } from 'smol-toml';
import type { ClientSetup } from './snippets.ts';

export class ConnectError extends Error {
  override name = 'ConnectError';
}

export interface WriteResult {
  path: string;
  outcome: 'created' | 'added' | 'updated' | 'unchanged';
}

/**
 * Merges Frameport's entry into the client's config file. Everything else in the file (other
 * servers, settings, comments, formatting) is left as it was; a file that does not parse is
 * not touched at all. The new content is written beside the file and renamed over it, so a
 * crash never leaves half a file.
 */
export async function writeClientConfig(setup: ClientSetup): Promise<WriteResult> {
  const { path, format } = setup.file;
  let before: string | undefined;
  try {
    before = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new ConnectError(`Cannot read ${path}: ${(error as Error).message}`);
  }
  const after = format === 'json' ? mergeJson(before, setup, path) : mergeToml(before, setup, path);
  if (before === after) return { path, outcome: 'unchanged' };
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.frameport-${process.pid}.tmp`;
  await writeFile(temporary, after, 'utf8');
  await rename(temporary, path);
  const existed = before !== undefined && hasEntry(before, setup);
  return { path, outcome: before === undefined ? 'created' : existed ? 'updated' : 'added' };
}

function hasEntry(text: string, setup: ClientSetup): boolean {
  const [table, key] = setup.file.keyPath;
  const doc = (setup.file.format === 'json' ? parseJsonc(text) : parseToml(text)) as Record<string, Record<string, unknown>> | undefined;
  return Boolean(doc?.[table]?.[key]);
}

function mergeJson(text: string | undefined, setup: ClientSetup, path: string): string {
  if (text === undefined || text.trim() === '') return `${JSON.stringify({ [setup.file.keyPath[0]]: { [setup.file.keyPath[1]]: setup.entry } }, null, 2)}\n`;
  const errors: ParseError[] = [];
  const doc = parseJsonc(text, errors, { allowTrailingComma: true });
  if (errors.length > 0 || typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    const reason = errors[0] ? `${printParseErrorCode(errors[0].error)} at offset ${errors[0].offset}` : 'it is not a JSON object';
    throw new ConnectError(`${path} is not valid JSON (${reason}); it was left unchanged. Fix it, or add the snippet by hand.`);
  }
  const edits = modify(text, [...setup.file.keyPath], setup.entry, { formattingOptions: { insertSpaces: true, tabSize: 2 } });
  return applyEdits(text, edits);
}

const tableHeader = /^\s*\[([^[\]]+)\]\s*(?:#.*)?$/;
const headerKeys = (inner: string) => inner.split('.').map((k) => k.trim().replace(/^"(.*)"$/, '$1').replace(/^'(.*)'$/, '$1'));

function mergeToml(text: string | undefined, setup: ClientSetup, path: string): string {
  const source = text ?? '';
  try {
    parseToml(source);
  } catch (error) {
    throw new ConnectError(`${path} is not valid TOML (${(error as Error).message.split('\n')[0]}); it was left unchanged. Fix it, or add the snippet by hand.`);
  }
  const [table, key] = setup.file.keyPath;
  const line = (name: string, value: string) => stringifyToml({ [name]: value }).trim();
  const lines = source.split('\n');
  const start = lines.findIndex((l) => {
    const m = tableHeader.exec(l);
    return m !== null && headerKeys(m[1]!).join('\u0000') === `${table}\u0000${key}`;
  });
  let merged: string;
  if (start === -1) {
    const body = [`[${table}.${key}]`, ...Object.entries(setup.entry).map(([k, v]) => line(k, v))].join('\n');
    merged = source === '' ? `${body}\n` : `${source.replace(/\n*$/, '\n')}\n${body}\n`;
  } else {
    // Only our keys change inside our table; the user's other keys and sub-tables stay.
    let end = lines.findIndex((l, i) => i > start && /^\s*\[/.test(l));
    if (end === -1) end = lines.length;
    for (const [name, value] of Object.entries(setup.entry)) {
      const keyLine = new RegExp(`^\\s*(?:${name}|"${name}"|'${name}')\\s*=`);
      const at = lines.findIndex((l, i) => i > start && i < end && keyLine.test(l));
      if (at !== -1) lines[at] = line(name, value);
      else {
        lines.splice(start + 1, 0, line(name, value));
        end++;
      }
    }
    merged = lines.join('\n');
  }
  // The textual edit must mean what we intended; a layout we do not understand stops here.
  let check: Record<string, Record<string, Record<string, unknown>>>;
  try {
    check = parseToml(merged) as typeof check;
  } catch {
    check = {};
  }
  const written = check[table]?.[key];
  if (!written || Object.entries(setup.entry).some(([k, v]) => written[k] !== v)) {
    throw new ConnectError(`${path} defines ${table}.${key} in a way this command cannot edit safely; it was left unchanged. Add the snippet by hand.`);
  }
  return merged;
}
