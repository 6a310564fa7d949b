import { YAMLError, parse as parseYaml } from 'yaml';
import type { z } from 'zod';

/**
 * Parsing files a user points at. The errors name the file, the position (line, column, byte offset) and what is
 * wrong, and never quote the file's bytes: a module running as root must not print a line of /etc/shadow because
 * a user gave it as a JSON file. (JSON.parse and the yaml package both quote the text around the error.)
 */

export class FileSyntaxError extends Error {
  constructor(
    readonly file: string,
    readonly format: 'JSON' | 'YAML',
    readonly offset: number,
    readonly line: number,
    readonly column: number,
    readonly problem: string,
  ) {
    super(`${file} is not valid ${format}: ${problem} at line ${line}, column ${column} (byte offset ${offset})`);
    this.name = 'FileSyntaxError';
  }
}

/** Parse `text`, the content of `file`, as JSON. */
export function parseJsonFile(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    const { index, problem } = jsonSyntaxError(text);
    const { line, column } = lineColumn(text, index);
    throw new FileSyntaxError(file, 'JSON', Buffer.byteLength(text.slice(0, index)), line, column, problem);
  }
}

/** Parse `text`, the content of `file`, as YAML (one document). */
export function parseYamlFile(text: string, file: string): unknown {
  try {
    return parseYaml(text, { prettyErrors: false });
  } catch (e) {
    if (!(e instanceof YAMLError)) throw e;
    const index = e.pos[0];
    const { line, column } = lineColumn(text, index);
    // The code, not the message: some messages quote the offending token.
    throw new FileSyntaxError(file, 'YAML', Buffer.byteLength(text.slice(0, index)), line, column, e.code.toLowerCase().replaceAll('_', ' '));
  }
}

/** Zod issues of a file's content as `path: message`, without the values (unknown keys are counted, not named). */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => {
      const where = i.path.length ? i.path.map(String).join('.') : '(top level)';
      if (i.code === 'unrecognized_keys') return `${where}: ${i.keys.length} unknown key(s)`;
      return `${where}: ${i.message}`;
    })
    .join('; ');
}

/** `value`, read from a file, checked against `schema`; the error starts with `what` and lists the issues without values. */
export function checkFileContent<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw new Error(`${what}: ${describeIssues(r.error)}`);
}

function lineColumn(text: string, index: number): { line: number; column: number } {
  const before = text.slice(0, index);
  const line = before.split('\n').length;
  return { line, column: index - before.lastIndexOf('\n') };
}

/** Where JSON.parse gave up on `text`, found again by a small JSON scanner (V8 does not always tell the position). */
export function jsonSyntaxError(text: string): { index: number; problem: string } {
  let i = 0;
  class Stop {
    constructor(readonly problem: string) {}
  }
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const fail = (problem: string): never => {
    throw new Stop(i >= text.length ? 'unexpected end of input' : problem);
  };
  const sticky = (re: RegExp, problem: string): void => {
    re.lastIndex = i;
    if (!re.test(text)) fail(problem);
    i = re.lastIndex;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a property name in double quotes');
        sticky(STRING, 'invalid string');
        ws();
        if (text[i] !== ':') fail("expected ':' after a property name");
        i++;
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return void i++;
        else fail("expected ',' or '}' in an object");
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return void i++;
        else fail("expected ',' or ']' in an array");
      }
    }
    if (c === '"') return sticky(STRING, 'invalid string');
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return sticky(NUMBER, 'invalid number');
    for (const word of ['true', 'false', 'null']) if (text.startsWith(word, i)) return void (i += word.length);
    fail('unexpected character (not the start of a JSON value)');
  };
  try {
    if (text.charCodeAt(0) === 0xfeff) i++;
    value();
    ws();
    if (i < text.length) fail('unexpected character after the JSON value');
  } catch (e) {
    if (e instanceof Stop) return { index: Math.min(i, text.length), problem: e.problem };
    throw e;
  }
  return { index: 0, problem: 'not valid JSON' };
}

// eslint-disable-next-line no-control-regex
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
