function isSpace(c: number): boolean {
  return (
    c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200b) ||
    c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff
  );
}

/** Collapses every run of Unicode whitespace (incl. NBSP, zero-width space, vertical tab) to one ASCII space. */
export function collapseWhitespace(s: string): string {
  let out = '';
  let inSpace = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isSpace(c)) {
      if (!inSpace) out += ' ';
      inSpace = true;
    } else {
      out += s[i];
      inSpace = false;
    }
  }
  return out;
}
