/**
 * The paragraphs of a .docx, as plain text lines: what a numbered question list typed in Word is
 * made of. Reads word/document.xml with jszip (a .docx is a zip); tables are read row by row, one
 * line per cell. Server side only.
 */
import { SheetFileError } from './errors';

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const unescapeXml = (s: string) =>
  s.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (m, e: string) =>
    e[0] === '#' ? String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1))) : ENTITIES[e] ?? m,
  );

/** Text of one <w:p>: runs joined, tabs as spaces, line breaks as new lines. */
function paragraphText(xml: string): string {
  let out = '';
  const re = /<w:t(?:\s[^>]*)?>([\s\S]*?)<\/w:t>|<w:tab\/>|<w:br(?:\s[^>]*)?\/>|<w:cr\/>/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(xml))) {
    if (m[1] !== undefined) out += unescapeXml(m[1]);
    else out += m[0].startsWith('<w:tab') ? ' ' : '\n';
  }
  return out;
}

export async function readDocxLines(buf: Buffer): Promise<string[]> {
  if (buf.length === 0) throw new SheetFileError('文件是空的');
  let xml: string | undefined;
  try {
    // loaded by the call that reads a .docx, not at a cold start (declared in the quiz function's package.json)
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const JSZip = require('jszip') as typeof import('jszip');
    const zip = await JSZip.loadAsync(buf);
    xml = await zip.file('word/document.xml')?.async('string');
  } catch {
    xml = undefined;
  }
  if (!xml) throw new SheetFileError('无法读取这个 .docx 文件，请用 Word 重新保存后再试（.doc 请另存为 .docx）');
  const lines: string[] = [];
  for (const p of xml.match(/<w:p[\s>][\s\S]*?<\/w:p>|<w:p\/>/g) ?? []) {
    for (const line of paragraphText(p).split('\n')) lines.push(line);
  }
  return lines;
}
