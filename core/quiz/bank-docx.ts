/**
 * A question list typed in Word, as offices keep them, turned into the rows validateBank reads:
 *
 *   一、单项选择题
 *   1. 党的最高理想和最终目标是（ ）。
 *   A. 实现共产主义  B. 全面建成小康社会
 *   C. ……           D. ……
 *   答案：A
 *   解析：……
 *
 * Section titles (一、单选题 / 二、判断题 …) give the type of the questions below them; a question
 * starts at its number (1. / 1、 / 1． / （1）); options are lines starting with A–F, several to a
 * line or one each; 答案 / 解析 / 出处 / 知识点 / 难度 lines belong to the question above. Pure.
 */

export const DOCX_HEADER = ['题型', '题干', '选项', '答案', '解析', '出处', '标签', '难度'];

export interface DocxTable {
  table: string[][];
  /** the question number in the document of each table row (index 0 is the header) */
  numbers: number[];
}

const SECTION = /^[一二三四五六七八九十]+\s*[、.．]\s*(单项选择题?|单选题?|多项选择题?|多选题?|不定项选择题?|判断题?|是非题|填空题?)/;
const QUESTION = /^(?:[(（]\s*(\d{1,5})\s*[)）]|(\d{1,5})\s*[.．、)）](?!\d))\s*(.*)$/;
const OPTION_START = /^[A-Fa-f]\s*[.．、:：]/;
const FIELD = /^(答案|正确答案|参考答案|解析|答案解析|试题解析|出处|来源|知识点|标签|难度)\s*[:：]\s*(.*)$/;

const FIELD_COLUMN: Record<string, number> = { 答案: 3, 正确答案: 3, 参考答案: 3, 解析: 4, 答案解析: 4, 试题解析: 4, 出处: 5, 来源: 5, 知识点: 6, 标签: 6, 难度: 7 };

function sectionType(title: string): string {
  if (/多|不定项/.test(title)) return '多选';
  if (/单|选择/.test(title)) return '单选';
  if (/判断|是非/.test(title)) return '判断';
  return '填空';
}

export function docxQuestions(lines: readonly string[]): DocxTable {
  const table: string[][] = [DOCX_HEADER];
  const numbers: number[] = [0];
  let type = '';
  let cur: string[] | null = null;
  let options: string[] = [];
  let last = 1; // the column a continuation line extends
  let count = 0;
  const flush = () => {
    if (!cur) return;
    cur[2] = options.join('\n');
    table.push(cur);
    cur = null;
    options = [];
  };
  for (const raw of lines) {
    const line = raw.replace(/[\u00a0\u3000]/g, ' ').trim();
    if (!line) continue;
    const sec = SECTION.exec(line);
    if (sec) {
      flush();
      type = sectionType(sec[1]);
      continue;
    }
    const q = QUESTION.exec(line);
    if (q) {
      flush();
      count++;
      cur = [type, q[3].trim(), '', '', '', '', '', ''];
      numbers.push(Number(q[1] ?? q[2]) || count);
      last = 1;
      continue;
    }
    if (!cur) continue;
    const f = FIELD.exec(line);
    if (f) {
      last = FIELD_COLUMN[f[1]];
      cur[last] = cur[last] ? `${cur[last]}；${f[2].trim()}` : f[2].trim();
      continue;
    }
    if (OPTION_START.test(line) && last <= 2) {
      // "A. 甲  B. 乙" on one line, or one per line
      for (const part of line.split(/\s+(?=[A-Fa-f]\s*[.．、:：])/)) options.push(part.trim());
      last = 2;
      continue;
    }
    if (last === 2) options[options.length - 1] += line;
    else cur[last] = cur[last] ? `${cur[last]}\n${line}` : line;
  }
  flush();
  return { table, numbers };
}
