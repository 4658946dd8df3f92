/** The dev sign-in page: pick a seeded person and see the app as they would. */

export interface DemoUser {
  openid: string;
  name: string;
  role: string;
  branchName: string;
  age?: number;
}

const GROUPS: Array<{ key: 'organiser' | 'secretary' | 'member'; title: string }> = [
  { key: 'organiser', title: '组织管理员' },
  { key: 'secretary', title: '支部书记' },
  { key: 'member', title: '党员' },
];

export function roleGroup(role: string): 'organiser' | 'secretary' | 'member' {
  const r = role.toLowerCase();
  if (/organi[sz]er|admin|管理员|上级/.test(r)) return 'organiser';
  if (/secretary|书记/.test(r)) return 'secretary';
  return 'member';
}

function esc(s: unknown): string {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function renderDevPage(users: DemoUser[], opts: { current?: string; seedHint?: string; tips?: string[] } = {}): string {
  const sections = GROUPS.map((g) => {
    const list = users.filter((u) => roleGroup(u.role) === g.key);
    if (!list.length) return '';
    const items = list
      .map((u) => {
        const elder = typeof u.age === 'number' && u.age >= 60;
        return `<li class="user${elder ? ' elder' : ''}">
  <div class="who"><span class="name">${esc(u.name)}</span>${elder ? `<span class="tag">${esc(u.age)}岁 · 关怀模式</span>` : ''}
  <div class="branch">${esc(u.branchName)}</div></div>
  <button type="button" data-openid="${esc(u.openid)}">登录</button>
</li>`;
      })
      .join('\n');
    return `<section><h2>${g.title}（${list.length}）</h2><ul>${items}</ul></section>`;
  }).join('\n');
  const empty = users.length
    ? ''
    : `<p class="hint">还没有演示数据。${esc(opts.seedHint ?? '用 --seed demo 启动模拟器即可生成演示党员。')}</p>`;
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>本地登录 · 指尖党校</title>
<style>
  body { font-family: -apple-system, "PingFang SC", "Microsoft YaHei", sans-serif; font-size: 20px; line-height: 1.5;
         margin: 0 auto; max-width: 760px; padding: 24px 16px 64px; color: #1f1f1f; background: #fafafa; }
  h1 { font-size: 32px; margin: 0 0 8px; color: #b71c1c; }
  .tip { font-size: 22px; font-weight: 600; color: #b71c1c; }
  h2 { font-size: 24px; margin: 28px 0 12px; border-left: 6px solid #c62828; padding-left: 10px; }
  ul { list-style: none; padding: 0; margin: 0; }
  .user { display: flex; align-items: center; justify-content: space-between; gap: 12px; background: #fff;
          border: 1px solid #e0e0e0; border-radius: 10px; padding: 14px 16px; margin-bottom: 10px; }
  .user.elder { background: #fff8e1; border-color: #f9a825; }
  .name { font-size: 22px; font-weight: 600; }
  .tag { margin-left: 10px; font-size: 16px; color: #7a4f00; background: #ffe082; border-radius: 6px; padding: 2px 8px; }
  .branch { font-size: 17px; color: #555; }
  button { font-size: 20px; min-width: 96px; min-height: 56px; border: 0; border-radius: 10px; background: #c62828;
           color: #fff; cursor: pointer; }
  button:focus { outline: 3px solid #1565c0; outline-offset: 2px; }
  .fresh { width: 100%; margin-top: 12px; background: #37474f; }
  .hint, .current { font-size: 18px; color: #444; }
  .err { color: #b71c1c; font-weight: 600; }
</style>
</head>
<body>
<h1>指尖党校 · 本地登录</h1>
<p class="current">${opts.current ? `当前身份：<code>${esc(opts.current)}</code> <button type="button" id="signout">退出</button>` : '当前未登录。选择一位演示用户进入应用：'}</p>
<p id="msg" class="err" role="alert"></p>
${empty}
${sections}
<section><h2>新用户</h2>
<p class="hint">以一个从未使用过的微信身份进入，可以试试加入支部。</p>
${(opts.tips ?? []).map((t) => `<p class="tip">${esc(t)}</p>`).join('\n')}
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

export function renderNoH5Page(h5Dir: string): string {
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>指尖党校 · 本地模拟器</title>
<style>body{font-family:-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;font-size:20px;line-height:1.6;max-width:720px;margin:0 auto;padding:24px 16px}
code{background:#eee;padding:2px 6px;border-radius:4px}</style></head>
<body><h1>本地云开发模拟器已启动</h1>
<p>还没有找到 H5 版本（<code>${esc(h5Dir)}</code> 不存在）。先构建：</p>
<p><code>npm run build:h5</code></p>
<p>然后刷新本页。也可以先去 <a href="/dev">本地登录页</a> 选择演示用户。</p>
<p>云函数入口：<code>POST /api/functions/&lt;函数名&gt;</code></p></body></html>`;
}
