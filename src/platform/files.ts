/**
 * Opening a file the functions put in cloud storage (the 台账 .xlsx) on WeChat:
 * wx.cloud.downloadFile({ fileID }) needs no downloadFile domain (a temp URL through
 * wx.downloadFile does, and fails without one), then wx.openDocument with showMenu so the secretary
 * can forward the file to the office computer or open it in another app.
 * https://developers.weixin.qq.com/miniprogram/dev/wxcloud/reference-sdk-api/storage/downloadFile/client.downloadFile.html
 * https://developers.weixin.qq.com/miniprogram/dev/api/file/wx.openDocument.html
 * Every failure is an ApiError with a Chinese message; the wx slice is handed in.
 */
import { ApiError } from '../api/errors';

export interface FilesApi {
  cloud: { downloadFile(o: { fileID: string }): Promise<{ tempFilePath: string; statusCode?: number }> };
  openDocument(o: { filePath: string; fileType: 'xlsx'; showMenu: boolean }): Promise<unknown>;
}

export const FILE_MESSAGES = {
  missing: '文件已过期或不存在，请重新导出。',
  download: '文件下载失败，请检查网络后点“打开”重试。',
  open: '手机无法直接打开这个 Excel 文件。请点右上角“···”转发到电脑上查看，或重新导出。',
} as const;

function errMsg(e: unknown): string {
  return String((e as { errMsg?: string } | null)?.errMsg ?? (e as Error | null)?.message ?? e);
}

export async function openCloudXlsx(api: FilesApi, fileID: string): Promise<void> {
  if (!fileID) throw new ApiError('FAILED_PRECONDITION', FILE_MESSAGES.missing);
  let tempFilePath: string;
  try {
    const r = await api.cloud.downloadFile({ fileID });
    if (r.statusCode !== undefined && r.statusCode !== 200) throw { errMsg: `downloadFile:fail status ${r.statusCode}` };
    tempFilePath = r.tempFilePath;
  } catch (e) {
    const m = errMsg(e);
    // -404011: the file is gone (storage 404); anything else is the network or the platform: try again
    if (/not ?exist|-?404011|status 404/i.test(m)) throw new ApiError('NOT_FOUND', FILE_MESSAGES.missing, m);
    throw new ApiError('UNAVAILABLE', FILE_MESSAGES.download, m);
  }
  try {
    await api.openDocument({ filePath: tempFilePath, fileType: 'xlsx', showMenu: true });
  } catch (e) {
    throw new ApiError('FAILED_PRECONDITION', FILE_MESSAGES.open, errMsg(e));
  }
}
