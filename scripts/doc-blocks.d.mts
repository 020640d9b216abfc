/** A fenced code block of README.md or docs/*.md. */
export interface DocBlock {
  /** The Markdown file, relative to the repository, e.g. 'docs/testing.md'. */
  file: string;
  /** The line the code starts on (1-based). */
  line: number;
  /** The info string's language, e.g. 'ts'. */
  lang: string;
  /** The words after the language, e.g. ['runnable']. */
  flags: string[];
  /** Paths from a `<!-- tested as: ... -->` comment on the line before. */
  testedAs: string[];
  /** The block's code. */
  code: string;
}
/** README.md and every docs/*.md, relative to `root`. */
export declare function docFiles(root: string): string[];
/** Every fenced block of one Markdown file. */
export declare function codeBlocks(file: string, text: string): DocBlock[];
/** The blocks of README.md and docs/*.md. */
export declare function allCodeBlocks(root: string): DocBlock[];
