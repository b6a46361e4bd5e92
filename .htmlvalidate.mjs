// html-validate's settings for the generated site: used by test/site/validate.test.ts and by
// `npx html-validate output/*.html`. The recommended rules apply, with two relaxed.
export default {
  root: true,
  extends: ['html-validate:recommended'],
  elements: ['html5'],
  rules: {
    // Heading anchors are GitHub-style slugs of the heading text, so "## 1. Profile first" is
    // #1-profile-first, as on GitHub. HTML5 allows ids that start with a digit; the relaxed rule still
    // rejects empty ids and ids with spaces.
    'valid-id': ['error', {relaxed: true}],
    // A page's <title> is its notebook's title, which names the article it reproduces and is often
    // longer than 70 characters; cutting it would only hide which article a tab is about.
    'long-title': 'off'
  }
};
