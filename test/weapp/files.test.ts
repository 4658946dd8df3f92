/**
 * The 台账 export on WeChat: the file is fetched by fileID (wx.cloud.downloadFile, no downloadFile
 * domain needed) and opened with the forward menu; every failure reads in Chinese. And a 视频号 live
 * opened only after its status says it is live.
 */
import { ApiError } from '../../src/api/errors';
import { CHANNELS_MESSAGES, openChannelsLiveChecked } from '../../src/platform/channels-live';
import { FILE_MESSAGES, openCloudXlsx } from '../../src/platform/files';
import { loadAppConfig, WxDouble } from './wx-double';

const config = loadAppConfig();
const FILE = 'cloud://prod-1.bucket/activity-ledger/b1/2026-01-01_2026-06-30_1.xlsx';

async function rejection(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    return e as ApiError;
  }
  throw new Error('expected a rejection');
}

it('downloads by fileID and opens the workbook with the forward menu', async () => {
  const wx = new WxDouble({ config, cloudFiles: { [FILE]: 187_000 } });
  await openCloudXlsx(wx, FILE);
  expect(wx.calls).toContainEqual({ api: 'cloud.downloadFile', arg: { fileID: FILE } });
  expect(wx.opened).toEqual([{ filePath: expect.stringMatching(/^wxfile:\/\//), fileType: 'xlsx', showMenu: true }]);
});

it('a file gone from storage asks for a new export', async () => {
  const wx = new WxDouble({ config, cloudFiles: {} });
  const e = await rejection(openCloudXlsx(wx, FILE));
  expect([e.code, e.message]).toEqual(['NOT_FOUND', FILE_MESSAGES.missing]);
  expect(wx.opened).toEqual([]);
});

it('an export without a fileID is refused before any download', async () => {
  const wx = new WxDouble({ config });
  expect((await rejection(openCloudXlsx(wx, ''))).message).toBe(FILE_MESSAGES.missing);
  expect(wx.calls).toEqual([]);
});

it('a failed download is the network, and may be tried again', async () => {
  const wx = new WxDouble({ config });
  const failing = { ...wx, cloud: { downloadFile: async () => Promise.reject({ errMsg: 'cloud.downloadFile:fail timeout' }) }, openDocument: wx.openDocument };
  const e = await rejection(openCloudXlsx(failing, FILE));
  expect([e.code, e.message]).toEqual(['UNAVAILABLE', FILE_MESSAGES.download]);
});

it('a viewer that cannot open the file says how to get it to a computer', async () => {
  const wx = new WxDouble({ config, cloudFiles: { [FILE]: 10 } });
  const api = { cloud: wx.cloud, openDocument: async () => Promise.reject({ errMsg: 'openDocument:fail filetype not supported' }) };
  const e = await rejection(openCloudXlsx(api, FILE));
  expect(e.message).toBe(FILE_MESSAGES.open);
});

describe('视频号 live: status checked before opening', () => {
  const api = (status: number | 'none') => {
    const opened: unknown[] = [];
    return {
      opened,
      getChannelsLiveInfo: async () => (status === 'none' ? Promise.reject({ errMsg: 'getChannelsLiveInfo:fail no live' }) : { feedId: 'f1', nonceId: 'n1', status }),
      openChannelsLive: async (o: unknown) => {
        opened.push(o);
        return {};
      },
    };
  };
  it('opens the room only while it is live', async () => {
    const live = api(2);
    await openChannelsLiveChecked(live, 'sphABC');
    expect(live.opened).toEqual([{ finderUserName: 'sphABC', feedId: 'f1', nonceId: 'n1' }]);
    for (const [status, message] of [[3, CHANNELS_MESSAGES.ended], ['none', CHANNELS_MESSAGES.notLive], [1, CHANNELS_MESSAGES.notLive]] as const) {
      const a = api(status);
      expect((await rejection(openChannelsLiveChecked(a, 'sphABC'))).message).toBe(message);
      expect(a.opened).toEqual([]);
    }
  });
});
