/**
 * H5 uploads to the emulator's storage: the gateway hands out an upload ticket for a path in the
 * caller's own folder (POST /api/storage/upload-url), and the bytes are PUT to it. On WeChat the same
 * files go through wx.cloud.uploadFile instead. Every failure is an ApiError with a Chinese message.
 */
import { ApiError, NETWORK_MESSAGE } from '../api/errors';

/** Uploads `body` to `cloudPath`; its fileID, or `failMessage` when the bytes did not get there. */
export async function putH5(cloudPath: string, body: Blob, failMessage: string): Promise<string> {
  const ticket = await fetch('/api/storage/upload-url', {
    method: 'POST',
    credentials: 'include',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ cloudPath }),
  }).catch(() => null);
  const t = (await ticket?.json().catch(() => null)) as { fileID?: string; url?: string; error?: { message?: string } } | null;
  if (!ticket?.ok || !t?.fileID || !t.url) throw new ApiError('UNAVAILABLE', t?.error?.message ?? NETWORK_MESSAGE);
  const put = await fetch(t.url, { method: 'PUT', body }).catch(() => null);
  if (!put?.ok) throw new ApiError('UNAVAILABLE', failMessage);
  return t.fileID;
}
