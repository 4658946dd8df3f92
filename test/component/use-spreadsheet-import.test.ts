/**
 * useSpreadsheetImport, the two-step import of the roster and the question bank: choosing a file
 * checks it at once (a dry run), confirming imports the very file that was checked; a file the
 * function's schema refuses is never sent, and a file that cannot be read says so (not "the network").
 */
import { act, createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { orgInputs } from '../../core/org/contracts';
import { useSpreadsheetImport, type ImportInput, type SpreadsheetImport } from '../../src/hooks/use-spreadsheet-import';
import { pickSpreadsheet } from '../../src/utils/spreadsheet-file';

jest.mock('../../src/utils/spreadsheet-file', () => ({ pickSpreadsheet: jest.fn() }));
const pick = pickSpreadsheet as jest.MockedFunction<typeof pickSpreadsheet>;

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

type Report = { dryRun: boolean; created: number };

function mount() {
  const sent: ImportInput[] = [];
  const imported: Report[] = [];
  const latest: { h?: SpreadsheetImport<Report> } = {};
  function Probe() {
    latest.h = useSpreadsheetImport<Report>({
      inputId: 'import-file-input',
      schema: orgInputs.importRoster,
      send: async (input) => (sent.push(input), { dryRun: input.dryRun, created: 3 }),
      onImported: (r) => imported.push(r),
    });
    return null;
  }
  const root = createRoot(document.createElement('div'));
  act(() => root.render(createElement(Probe)));
  return { sent, imported, get h() { return latest.h!; } };
}

beforeEach(() => pick.mockReset());

test('choosing a file checks it without importing; confirming imports that same file once', async () => {
  const file = { fileName: '名册.csv', contentBase64: 'YSxi' };
  pick.mockResolvedValueOnce(file);
  const m = mount();
  await act(() => m.h.choose());
  expect(pick).toHaveBeenCalledWith('import-file-input');
  expect(m.sent).toEqual([{ ...file, dryRun: true }]);
  expect(m.h.file).toEqual(file);
  expect(m.h.report).toEqual({ dryRun: true, created: 3 });
  expect(m.imported).toEqual([]);

  await act(() => m.h.commit());
  expect(m.sent).toEqual([{ ...file, dryRun: true }, { ...file, dryRun: false }]);
  expect(m.imported).toEqual([{ dryRun: false, created: 3 }]);
  expect(m.h.report).toEqual({ dryRun: false, created: 3 });
  expect(m.h.error).toBeNull();
});

test('a file the schema refuses is not sent and shows the schema\'s own words', async () => {
  pick.mockResolvedValueOnce({ fileName: '名册.pdf', contentBase64: 'YSxi' });
  const m = mount();
  await act(() => m.h.choose());
  expect(m.sent).toEqual([]);
  expect(m.h.error?.message).toBe('只支持 .xlsx 或 .csv 文件');
});

test('a file that cannot be read asks for another file; a cancelled picker changes nothing', async () => {
  pick.mockRejectedValueOnce(new Error('readFile:fail'));
  const m = mount();
  await act(() => m.h.choose());
  expect(m.h.error?.message).toBe('读取文件失败，请重新选择');
  pick.mockResolvedValueOnce(null);
  await act(() => m.h.choose());
  expect(m.sent).toEqual([]);
  expect(m.h.file).toBeNull();
});
