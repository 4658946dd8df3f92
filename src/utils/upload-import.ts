import Taro from '@tarojs/taro';
import { importCloudPath } from '../../core/sheet/upload-path';
import { putH5 } from '../platform/h5-upload';
import { openCloudXlsx } from '../platform/files';

/** A file picked for an import and uploaded to cloud storage: the function reads it by fileID. */
export interface UploadedImport {
  fileName: string;
  fileID: string;
  size: number;
}

const EXTENSIONS = ['xlsx', 'csv', 'docx'];

/** H5: the gateway hands out an upload ticket for the caller's import folder; the bytes go to it. */
async function uploadH5(dir: string, inputId: string, accept: string[]): Promise<UploadedImport | null> {
  const file = await new Promise<File | null>((resolve) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.accept = accept.map((e) => `.${e}`).join(',');
    input.id = inputId;
    input.style.display = 'none';
    input.onchange = () => {
      const f = input.files?.[0] ?? null;
      input.remove();
      resolve(f);
    };
    document.body.appendChild(input);
    input.click();
  });
  if (!file) return null;
  const fileID = await putH5(importCloudPath(dir, file.name, Date.now()), file, '上传失败，请检查网络后重试');
  return { fileName: file.name, fileID, size: file.size };
}

/** WeChat: a file from a chat (chooseMessageFile), uploaded with wx.cloud.uploadFile. */
async function uploadWeapp(dir: string, accept: string[]): Promise<UploadedImport | null> {
  let res: Taro.chooseMessageFile.SuccessCallbackResult;
  try {
    res = await Taro.chooseMessageFile({ count: 1, type: 'file', extension: accept });
  } catch {
    return null; // the person closed the picker
  }
  const f = res.tempFiles[0];
  if (!f) return null;
  const up = await Taro.cloud.uploadFile({ cloudPath: importCloudPath(dir, f.name, Date.now()), filePath: f.path });
  return { fileName: f.name, fileID: up.fileID, size: f.size };
}

/** Picks a file and uploads it into `dir` (the caller's import folder, from the function); null when the person cancels. */
export function pickAndUploadImport(dir: string, inputId: string, accept = EXTENSIONS): Promise<UploadedImport | null> {
  return process.env.TARO_ENV === 'h5' ? uploadH5(dir, inputId, accept) : uploadWeapp(dir, accept);
}

/**
 * The report file of an import: a download on H5; on WeChat fetched by fileID with
 * wx.cloud.downloadFile (a temp URL through wx.downloadFile needs a downloadFile domain, and fails
 * without one) and opened in WeChat's document viewer with its menu, to forward to a computer.
 */
export async function openReportFile(file: { fileID: string; url: string }, fileName: string): Promise<void> {
  if (process.env.TARO_ENV === 'h5') {
    const a = document.createElement('a');
    a.href = file.url;
    a.download = fileName;
    document.body.appendChild(a);
    a.click();
    a.remove();
    return;
  }
  await openCloudXlsx(Taro, file.fileID);
}

/** A name for an import run, chosen before its first call so a retried call is recognised as the same run. */
export function newImportRunId(): string {
  let s = '';
  for (let i = 0; i < 16; i++) s += Math.floor(Math.random() * 16).toString(16);
  return s;
}
