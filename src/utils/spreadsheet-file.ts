import Taro from '@tarojs/taro';

/** A picked .xlsx/.csv, inline as base64 (imports travel in the callFunction payload, ≤ 100 KB). */
export interface PickedFile {
  fileName: string;
  contentBase64: string;
}

function toBase64(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...Array.from(bytes.subarray(i, i + 0x8000)));
  return btoa(bin);
}

/** H5: a throw-away <input type="file">; resolves null when the person cancels. */
function pickH5(inputId: string): Promise<PickedFile | null> {
  return new Promise((resolve, reject) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.accept = '.xlsx,.csv';
    input.id = inputId;
    input.style.display = 'none';
    input.onchange = () => {
      const file = input.files?.[0];
      input.remove();
      if (!file) return resolve(null);
      file.arrayBuffer().then((buf) => resolve({ fileName: file.name, contentBase64: toBase64(new Uint8Array(buf)) }), reject);
    };
    document.body.appendChild(input);
    input.click();
  });
}

/** WeChat: files come from a chat (chooseMessageFile), read as base64 from the temp path. */
async function pickWeapp(): Promise<PickedFile | null> {
  let res: Taro.chooseMessageFile.SuccessCallbackResult;
  try {
    res = await Taro.chooseMessageFile({ count: 1, type: 'file', extension: ['xlsx', 'csv'] });
  } catch {
    return null; // the person closed the picker
  }
  const f = res.tempFiles[0];
  if (!f) return null;
  const contentBase64 = await new Promise<string>((resolve, reject) =>
    Taro.getFileSystemManager().readFile({
      filePath: f.path,
      encoding: 'base64',
      success: (r) => resolve(r.data as string),
      fail: (e) => reject(new Error(e.errMsg)),
    }),
  );
  return { fileName: f.name, contentBase64 };
}

export function pickSpreadsheet(inputId: string): Promise<PickedFile | null> {
  return process.env.TARO_ENV === 'h5' ? pickH5(inputId) : pickWeapp();
}

/**
 * Hands out an import template: a .csv download on H5; on WeChat (no file saving) the text goes to the
 * clipboard. `csv` is the very template the server's import reads, BOM included for Excel.
 */
export function offerTemplate(csv: string, fileName: string, notify: (t: string) => void): void {
  if (process.env.TARO_ENV === 'h5') {
    const blob = new Blob([csv], { type: 'text/csv;charset=utf-8' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = fileName;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
    return;
  }
  Taro.setClipboardData({ data: csv.replace(/^\uFEFF/, '') }).then(() => notify('模板已复制，可粘贴到电脑上保存为 .csv 文件'));
}
