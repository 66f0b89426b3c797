// The rules of Traditional Chinese text that web/test/i18n.test.ts holds the
// catalogue to (lessons/glossary_test.go holds the lessons to the same ones):
// full-width punctuation next to Chinese, no space between two Chinese
// characters or next to full-width punctuation, and the glossary's words.
// Code in backticks and {placeholders} are left as they are.

import glossary from "../src/i18n/glossary.json";

const han = "\\p{Script=Han}";
const fullWidth = "，。：；！？、（）「」";

/** prose is the text a reader sees as words: code and placeholders become "x". */
function prose(zh: string): string {
  return zh.replace(/`[^`]*`/g, "x").replace(/\{\w+\}/g, "x");
}

const rules: [RegExp, string][] = [
  [new RegExp(`${han} ?[,.:;!?()]`, "u"), "half-width punctuation after Chinese"],
  [new RegExp(`[,:;!?()] ?${han}`, "u"), "half-width punctuation before Chinese"],
  [new RegExp(`\\([^()]*${han}[^()]*\\)`, "u"), "half-width parentheses around Chinese"],
  [/[^\d\s],\S|,[^\s\d]|;\S/u, "a half-width comma or semicolon in a Chinese sentence"],
  [new RegExp(`${han} +${han}`, "u"), "a space between Chinese characters"],
  [new RegExp(` [${fullWidth}]|[${fullWidth}] `, "u"), "a space next to full-width punctuation"],
];

/** styleFaults says what breaks the rules in one zh-TW text, quoting it. */
export function styleFaults(zh: string): string[] {
  const p = prose(zh);
  const faults: string[] = [];
  for (const [re, what] of rules) {
    const m = re.exec(p);
    if (m) faults.push(`${what}: «${p.slice(Math.max(0, m.index - 8), m.index + m[0].length + 8)}»`);
  }
  for (const term of glossary.terms) {
    for (const avoid of term.avoid) if (p.includes(avoid)) faults.push(`"${avoid}" where the glossary says "${term.zh}" (${term.en})`);
  }
  return faults;
}

export { glossary };
