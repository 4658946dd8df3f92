/**
 * 关怀模式 status badge: a native custom component (kept native so it can be tested in
 * miniprogram-simulate). Shows whether elder mode is on; a tap asks the page to flip it through the
 * `change` event ({ active: next value }) and does not change its own state: the page owns the value.
 * Property names avoid an `on` prefix, which Taro's React bridge reserves for event handlers.
 */
Component({
  properties: {
    active: { type: Boolean, value: false },
    label: { type: String, value: '关怀模式' },
    activeText: { type: String, value: '已开启' },
    inactiveText: { type: String, value: '未开启' },
  },
  methods: {
    onTap() {
      this.triggerEvent('change', { active: !this.data.active });
    },
  },
});
