import Taro from '@tarojs/taro';
import { putH5 } from '../platform/h5-upload';

/** A meeting photo uploaded into the caller's own folder, with the small copy the 台账 embeds. */
export interface UploadedPhoto {
  fileID: string;
  thumbFileID: string;
  /** a local picture to show while the page is open (object URL on H5, temp path on WeChat) */
  preview: string;
}

/** long side of a photo after compression on the device, and of its thumbnail */
const PHOTO_PX = 1280;
const THUMB_PX = 160;
const PHOTO_UPLOAD_FAILED = '照片上传失败，请检查网络后重试';

/** H5: draws the picture on a canvas no larger than `px` and encodes it as JPEG. */
function shrink(img: HTMLImageElement, px: number, quality: number): Promise<Blob> {
  const k = Math.min(1, px / Math.max(img.naturalWidth, img.naturalHeight));
  const c = document.createElement('canvas');
  c.width = Math.max(1, Math.round(img.naturalWidth * k));
  c.height = Math.max(1, Math.round(img.naturalHeight * k));
  c.getContext('2d')!.drawImage(img, 0, 0, c.width, c.height);
  return new Promise((resolve, reject) => c.toBlob((b) => (b ? resolve(b) : reject(new Error('encode'))), 'image/jpeg', quality));
}

function pickFilesH5(count: number): Promise<File[]> {
  return new Promise((resolve) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.accept = 'image/*';
    input.multiple = count > 1;
    input.id = 'minutes-photo-input';
    input.style.display = 'none';
    input.onchange = () => {
      const files = Array.from(input.files ?? []).slice(0, count);
      input.remove();
      resolve(files);
    };
    document.body.appendChild(input);
    input.click();
  });
}

async function uploadH5(dir: string, count: number): Promise<UploadedPhoto[]> {
  const files = await pickFilesH5(count);
  const out: UploadedPhoto[] = [];
  for (const [i, f] of files.entries()) {
    const url = URL.createObjectURL(f);
    const img = await new Promise<HTMLImageElement | null>((resolve) => {
      const el = new Image();
      el.onload = () => resolve(el);
      el.onerror = () => resolve(null);
      el.src = url;
    });
    // not a picture the browser can read: sent as it is, so the function's check explains why
    const [photo, thumb] = img ? await Promise.all([shrink(img, PHOTO_PX, 0.8), shrink(img, THUMB_PX, 0.7)]) : [f, null];
    const name = `${Date.now()}-${i}`;
    const fileID = await putH5(`${dir}${name}.jpg`, photo, PHOTO_UPLOAD_FAILED);
    const thumbFileID = thumb ? await putH5(`${dir}${name}.thumb.jpg`, thumb, PHOTO_UPLOAD_FAILED) : '';
    out.push({ fileID, thumbFileID, preview: url });
  }
  return out;
}

async function uploadWeapp(dir: string, count: number): Promise<UploadedPhoto[]> {
  let res: Taro.chooseMedia.SuccessCallbackResult;
  try {
    res = await Taro.chooseMedia({ count, mediaType: ['image'], sourceType: ['album', 'camera'], sizeType: ['compressed'] });
  } catch {
    return []; // the person closed the picker
  }
  const out: UploadedPhoto[] = [];
  for (const [i, f] of res.tempFiles.entries()) {
    const photo = await Taro.compressImage({ src: f.tempFilePath, quality: 80, compressedWidth: PHOTO_PX } as Taro.compressImage.Option).catch(() => ({ tempFilePath: f.tempFilePath }));
    const thumb = await Taro.compressImage({ src: f.tempFilePath, quality: 60, compressedWidth: THUMB_PX } as Taro.compressImage.Option).catch(() => null);
    const name = `${Date.now()}-${i}`;
    const up = await Taro.cloud.uploadFile({ cloudPath: `${dir}${name}.jpg`, filePath: photo.tempFilePath });
    const t = thumb ? await Taro.cloud.uploadFile({ cloudPath: `${dir}${name}.thumb.jpg`, filePath: thumb.tempFilePath }) : null;
    out.push({ fileID: up.fileID, thumbFileID: t?.fileID ?? '', preview: photo.tempFilePath });
  }
  return out;
}

/**
 * Picks up to `count` pictures (album or camera), compresses each on the device and uploads it with
 * its thumbnail into `dir` (the caller's own folder, from the function). Empty when cancelled.
 */
export function pickAndUploadPhotos(dir: string, count: number): Promise<UploadedPhoto[]> {
  return process.env.TARO_ENV === 'h5' ? uploadH5(dir, count) : uploadWeapp(dir, count);
}
