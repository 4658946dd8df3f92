/**
 * CSV as Excel reads and writes it, for every import and template. Pure, no Node API: the app
 * bundles the templates.
 */

/**
 * RFC 4180: quoted fields, doubled quotes, CRLF or LF; a leading BOM is dropped. A quote opens a
 * quoted field only at the start of the field (elsewhere it is text, as Excel reads it). One array
 * per physical record, blank records kept, so an error can name the row Excel shows.
 */
export function parseCsv(text: string): string[][] {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  // runs of plain text are sliced, not added a character at a time: a 5 MB bank parses in a fraction of a second
  const DELIMITER = /[,\r\n]/g;
  for (let i = 0; i < src.length; i++) {
    const ch = src[i];
    if (quoted) {
      const j = src.indexOf('"', i);
      if (j < 0) {
        field += src.slice(i);
        break;
      }
      field += src.slice(i, j);
      if (src[j + 1] === '"') {
        field += '"';
        i = j + 1;
      } else {
        quoted = false;
        i = j;
      }
      continue;
    }
    if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      if (ch === '\r' && src[i + 1] === '\n') i++;
    } else {
      // up to the next delimiter; a quote inside the field is text, as Excel reads it
      DELIMITER.lastIndex = i;
      const j = DELIMITER.exec(src)?.index ?? src.length;
      field += src.slice(i, j);
      i = j - 1;
    }
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

const csvCell = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** A file to download and open in Excel: BOM so it reads UTF-8, CRLF as Excel writes. */
export function toCsv(rows: ReadonlyArray<ReadonlyArray<string>>): string {
  return '\uFEFF' + rows.map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
