/** The dev sign-in page: pick a seeded person and see the app as they would. */

/** A person the project's seeder offers on the page (Seeder.users). */
export interface DevUser {
  openid: string;
  name: string;
  /** the heading they are listed under (e.g. their role); headings keep the order they first appear in */
  group: string;
  /** a second line, e.g. their team */
  detail?: string;
  /** a short tag beside the name, e.g. a display mode they will see */
  badge?: string;
  /** shows the row marked, e.g. a person the project wants tried first */
  highlight?: boolean;
}

const DEFAULT_APP_NAME = '本地云开发';

function esc(s: unknown): string {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function renderDevPage(
  users: DevUser[],
  opts: { current?: string; seedHint?: string; tips?: string[]; appName?: string } = {},
): string {
  const appName = opts.appName ?? DEFAULT_APP_NAME;
  const groups = [...new Set(users.map((u) => u.group))];
  const sections = groups.map((g) => {
    const list = users.filter((u) => u.group === g);
    const items = list
      .map(
        (u) => `<li class="user${u.highlight ? ' highlight' : ''}">
  <div class="who"><span class="name">${esc(u.name)}</span>${u.badge ? `<span class="tag">${esc(u.badge)}</span>` : ''}
  <div class="detail">${esc(u.detail)}</div></div>
  <button type="button" data-openid="${esc(u.openid)}">登录</button>
</li>`,
      )
      .join('\n');
    return `<section><h2>${esc(g)}（${list.length}）</h2><ul>${items}</ul></section>`;
  }).join('\n');
  const empty = users.length
    ? ''
    : `<p class="hint">还没有演示数据。${esc(opts.seedHint ?? '用 --seed 启动模拟器即可生成演示用户。')}</p>`;
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>本地登录 · ${esc(appName)}</title>
<style>
  body { font-family: -apple-system, "PingFang SC", "Microsoft YaHei", sans-serif; font-size: 20px; line-height: 1.5;
         margin: 0 auto; max-width: 760px; padding: 24px 16px 64px; color: #1f1f1f; background: #fafafa; }
  h1 { font-size: 32px; margin: 0 0 8px; color: #b71c1c; }
  .tip { font-size: 22px; font-weight: 600; color: #b71c1c; background: #fff8e1; border: 2px solid #f9a825; border-radius: 10px; padding: 10px 14px; }
  h2 { font-size: 24px; margin: 28px 0 12px; border-left: 6px solid #c62828; padding-left: 10px; }
  ul { list-style: none; padding: 0; margin: 0; }
  .user { display: flex; align-items: center; justify-content: space-between; gap: 12px; background: #fff;
          border: 1px solid #e0e0e0; border-radius: 10px; padding: 14px 16px; margin-bottom: 10px; }
  .user.highlight { background: #fff8e1; border-color: #f9a825; }
  .name { font-size: 22px; font-weight: 600; }
  .tag { margin-left: 10px; font-size: 16px; color: #7a4f00; background: #ffe082; border-radius: 6px; padding: 2px 8px; }
  .detail { font-size: 17px; color: #555; }
  button { font-size: 20px; min-width: 96px; min-height: 56px; border: 0; border-radius: 10px; background: #c62828;
           color: #fff; cursor: pointer; }
  button:focus { outline: 3px solid #1565c0; outline-offset: 2px; }
  .fresh { width: 100%; margin-top: 12px; background: #37474f; }
  .hint, .current { font-size: 18px; color: #444; }
  .err { color: #b71c1c; font-weight: 600; }
</style>
</head>
<body>
<h1>${esc(appName)} · 本地登录</h1>
<p class="current">${opts.current ? `当前身份：<code>${esc(opts.current)}</code> <button type="button" id="signout">退出</button>` : '当前未登录。选择一位演示用户进入应用：'}</p>
<p id="msg" class="err" role="alert"></p>
${(opts.tips ?? []).map((t) => `<p class="tip" id="dev-tip">${esc(t)}</p>`).join('\n')}
${empty}
${sections}
<section><h2>新用户</h2>
<p class="hint">以一个从未使用过的微信身份进入，再用页首的邀请码申请加入党支部。</p>
<button type="button" class="fresh" id="fresh">以新微信用户身份进入</button></section>
<script>
async function signin(body) {
  const msg = document.getElementById('msg');
  msg.textContent = '';
  try {
    const r = await fetch('/api/dev/signin', { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body), credentials: 'same-origin' });
    if (!r.ok) throw new Error('登录失败（' + r.status + '）');
    location.href = '/';
  } catch (e) { msg.textContent = e.message; }
}
document.querySelectorAll('button[data-openid]').forEach(function (b) {
  b.addEventListener('click', function () { signin({ openid: b.getAttribute('data-openid') }); });
});
document.getElementById('fresh').addEventListener('click', function () { signin({ fresh: true }); });
var so = document.getElementById('signout');
if (so) so.addEventListener('click', async function () {
  await fetch('/api/dev/signout', { method: 'POST', credentials: 'same-origin' });
  location.reload();
});
</script>
</body>
</html>`;
}

export function renderNoH5Page(h5Dir: string, appName = DEFAULT_APP_NAME): string {
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(appName)} · 本地模拟器</title>
<style>body{font-family:-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;font-size:20px;line-height:1.6;max-width:720px;margin:0 auto;padding:24px 16px}
code{background:#eee;padding:2px 6px;border-radius:4px}</style></head>
<body><h1>本地云开发模拟器已启动</h1>
<p>还没有找到 H5 版本（<code>${esc(h5Dir)}</code> 不存在）。先构建：</p>
<p><code>npm run build:h5</code></p>
<p>然后刷新本页。也可以先去 <a href="/dev">本地登录页</a> 选择演示用户。</p>
<p>云函数入口：<code>POST /api/functions/&lt;函数名&gt;</code></p></body></html>`;
}
