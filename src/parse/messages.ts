import type {NotebookMessage} from './types.js';

/** Collects located messages for one file, in the order they are found. */
export class MessageList {
  readonly messages: NotebookMessage[] = [];
  constructor(readonly file: string) {}

  /** Records a fatal problem: the notebook will not be executed. */
  error(line: number, column: number, message: string, rule: string): void {
    this.messages.push({file: this.file, line, column, message, rule, fatal: true});
  }

  /** Records a problem that does not stop the notebook (`--strict` makes it fatal). */
  warn(line: number, column: number, message: string, rule: string): void {
    this.messages.push({file: this.file, line, column, message, rule, fatal: false});
  }

  /** Whether any message is fatal. */
  get failed(): boolean {
    return this.messages.some((message) => message.fatal);
  }
}

/** Formats a message the way compilers and linters do: `file:line:column: message [rule]`. */
export function formatMessage(message: NotebookMessage): string {
  const severity = message.fatal ? 'error' : 'warning';
  return `${message.file}:${message.line}:${message.column}: ${severity}: ${message.message} [${message.rule}]`;
}

/** Sorts messages by position, so a file's problems read top to bottom. */
export function sortMessages(messages: NotebookMessage[]): NotebookMessage[] {
  return [...messages].sort(
    (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column
  );
}
