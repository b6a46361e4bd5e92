/** One word of a fence's info string, with the column where it starts (1-based). */
export interface InfoToken {
  /** For `key=value`, the key; for a bare word, the word. */
  name: string;
  /** The value of `key=value` (quotes removed), or undefined for a bare word. */
  value?: string;
  column: number;
}

/** A problem while splitting an info string. */
export interface InfoStringProblem {
  column: number;
  message: string;
}

/**
 * Splits the info string of a fence line into tokens with their columns.
 * Values may be quoted with `"` or `'` to hold spaces (`caption="Time per call"`).
 *
 * @param line the whole source line of the opening fence
 */
export function tokenizeInfoString(line: string): {tokens: InfoToken[]; problems: InfoStringProblem[]} {
  const tokens: InfoToken[] = [];
  const problems: InfoStringProblem[] = [];
  const fence = /^\s*(`{3,}|~{3,})/.exec(line);
  let index = fence ? fence[0].length : 0;

  while (index < line.length) {
    while (index < line.length && /\s/.test(line[index]!)) index++;
    if (index >= line.length) break;
    const start = index;
    while (index < line.length && !/[\s=]/.test(line[index]!)) index++;
    const name = line.slice(start, index);
    if (line[index] !== '=') {
      tokens.push({name, column: start + 1});
      continue;
    }
    index++; // past '='
    const quote = line[index];
    let value: string;
    if (quote === '"' || quote === "'") {
      const close = line.indexOf(quote, index + 1);
      if (close === -1) {
        problems.push({column: index + 1, message: `unterminated quoted value for \`${name}\`: add the closing ${quote}`});
        value = line.slice(index + 1);
        index = line.length;
      } else {
        value = line.slice(index + 1, close);
        index = close + 1;
      }
    } else {
      const valueStart = index;
      while (index < line.length && !/\s/.test(line[index]!)) index++;
      value = line.slice(valueStart, index);
    }
    if (name === '') {
      problems.push({column: start + 1, message: 'expected an option name before `=`'});
      continue;
    }
    tokens.push({name, value, column: start + 1});
  }
  return {tokens, problems};
}
