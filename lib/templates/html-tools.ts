import { importOptional } from '../utils/import-optional.js';

/** The HTML helpers a set of templates needs, loaded at startup. */
export interface HtmlTools {
  /** Inlines `<style>` rules into `style` attributes. */
  inlineCss?: (html: string) => string;
  /** Derives a text body from HTML. */
  toText?: (html: string) => string;
  /** Renders a React element to an HTML document. */
  renderReact?: (element: object) => Promise<string>;
}

/** Which helpers to load. */
export interface HtmlToolsNeeded {
  inlineCss: boolean;
  toText: boolean;
  react: boolean;
  /** Line width of derived text; 0 for none. */
  wordwrap: number;
}

/**
 * Loads the optional peers the templates need, each failing with its
 * install command: `@css-inline/css-inline` (chosen over juice: a Rust
 * inliner, about six times less CPU on the same mail in `bench/templates.mjs`,
 * maintained, no remote fetches when told so), `html-to-text`,
 * `@react-email/render`.
 */
export async function loadHtmlTools(
  needed: HtmlToolsNeeded,
): Promise<HtmlTools> {
  const tools: HtmlTools = {};
  if (needed.inlineCss) {
    const { inline } = await importOptional(
      () => import('@css-inline/css-inline'),
      'CSS inlining (on by default) needs @css-inline/css-inline: npm install @css-inline/css-inline, ' +
        'or set `inlineCss: false` in MailTemplatesModule.',
    );
    const options = {
      keepStyleTags: false,
      keepAtRules: true,
      keepLinkTags: false,
      loadRemoteStylesheets: false,
    };
    tools.inlineCss = (html) => inline(html, options);
  }
  if (needed.toText) {
    const { compile } = await importOptional(
      () => import('html-to-text'),
      'Templates without a text part get one derived from their HTML, with html-to-text: npm install html-to-text',
    );
    tools.toText = compile({
      wordwrap: needed.wordwrap || false,
      selectors: [
        { selector: 'img', format: 'skip' },
        { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
      ],
    });
  }
  if (needed.react) {
    const { render } = await importOptional(
      () => import('@react-email/render'),
      'React templates need @react-email/render: npm install @react-email/render react react-dom',
    );
    tools.renderReact = (element) =>
      render(element as Parameters<typeof render>[0]);
  }
  return tools;
}
