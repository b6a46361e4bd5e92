// html-validate's settings for the generated site: used by test/site/validate.test.ts and by
// `npx html-validate output/*.html`. The recommended rules apply, none relaxed.
export default {
  root: true,
  extends: ['html-validate:recommended'],
  elements: ['html5']
};
