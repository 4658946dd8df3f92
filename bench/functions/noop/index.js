// The trivial function every benchmark measures against: wx-server-sdk loaded, identity read, no DB.
const cloud = require('wx-server-sdk');

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });

exports.main = async () => ({ ok: true, data: { openid: cloud.getWXContext().OPENID } });
