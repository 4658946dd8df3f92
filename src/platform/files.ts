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

/** the file types wx.openDocument opens */
export type DocumentType = 'pdf' | 'doc' | 'docx' | 'xls' | 'xlsx' | 'ppt' | 'pptx';

export interface FilesApi {
  cloud: { downloadFile(o: { fileID: string }): Promise<{ tempFilePath: string; statusCode?: number }> };
  openDocument(o: { filePath: string; fileType: DocumentType; showMenu: boolean }): Promise<unknown>;
}

export interface FileMessages {
  missing: string;
  download: string;
  open: string;
}

export const FILE_MESSAGES: FileMessages = {
  missing: '文件已过期或不存在，请重新导出。',
  download: '文件下载失败，请检查网络后点“打开”重试。',
  open: '手机无法直接打开这个 Excel 文件。请点右上角“···”转发到电脑上查看，或重新导出。',
};

/** a 会议记录's attachment (会议材料), opened by a member from the notice */
export const ATTACHMENT_MESSAGES: FileMessages = {
  missing: '附件已不存在，请联系支部书记重新上传。',
  download: '附件下载失败，请检查网络后再点一次。',
  open: '手机无法直接打开这个附件。请点右上角“···”转发到电脑上查看。',
};

function errMsg(e: unknown): string {
  return String((e as { errMsg?: string } | null)?.errMsg ?? (e as Error | null)?.message ?? e);
}

export function openCloudXlsx(api: FilesApi, fileID: string): Promise<void> {
  return openCloudDocument(api, fileID, 'xlsx', FILE_MESSAGES);
}

export async function openCloudDocument(api: FilesApi, fileID: string, fileType: DocumentType, messages: FileMessages): Promise<void> {
  if (!fileID) throw new ApiError('FAILED_PRECONDITION', messages.missing);
  let tempFilePath: string;
  try {
    const r = await api.cloud.downloadFile({ fileID });
    if (r.statusCode !== undefined && r.statusCode !== 200) throw { errMsg: `downloadFile:fail status ${r.statusCode}` };
    tempFilePath = r.tempFilePath;
  } catch (e) {
    const m = errMsg(e);
    // -404011: the file is gone (storage 404); anything else is the network or the platform: try again
    if (/not ?exist|-?404011|status 404/i.test(m)) throw new ApiError('NOT_FOUND', messages.missing, m);
    throw new ApiError('UNAVAILABLE', messages.download, m);
  }
  try {
    await api.openDocument({ filePath: tempFilePath, fileType, showMenu: true });
  } catch (e) {
    throw new ApiError('FAILED_PRECONDITION', messages.open, errMsg(e));
  }
}
