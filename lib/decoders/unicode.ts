/**
 * NFKC folds compatibility forms (fullwidth `ＳＥＬＥＣＴ`, `＜script＞`, ligatures, superscripts) to the
 * ASCII that many back ends normalise them to. Only run when the value has non-ASCII characters.
 */
export function foldUnicode(s: string): string {
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 127) return s.normalize('NFKC');
  }
  return s;
}
