/**
 * The native 关怀模式 badge (src/components/native/elder-badge), rendered by miniprogram-simulate
 * in jsdom: loaded from src/ because the build wraps its JS in dist/.
 */
import path from 'node:path';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const simulate = require('miniprogram-simulate');

const DIR = path.join(__dirname, '..', '..', 'src', 'components', 'native', 'elder-badge', 'index');

interface Rendered {
  attach(parent: Element): void;
  querySelector(sel: string): { dom: HTMLElement; dispatchEvent(name: string): void } | null;
  setData(data: Record<string, unknown>): void;
  addEventListener(name: string, fn: (e: { detail: unknown }) => void): void;
  data: Record<string, unknown>;
  dom: HTMLElement;
}

// simulate.load registers the component once per path; later loads of the same path return nothing
let componentId: string | undefined;

function render(props: Record<string, unknown>): Rendered {
  componentId ??= simulate.load(DIR) as string;
  const id = componentId;
  const comp = simulate.render(id, props) as Rendered;
  comp.attach(document.createElement('parent-wrapper'));
  return comp;
}

describe('elder-badge native component', () => {
  it('shows the label and the off state by default', () => {
    const comp = render({});
    expect(comp.querySelector('.elder-badge__label')!.dom.textContent).toBe('关怀模式');
    expect(comp.querySelector('.elder-badge__state')!.dom.textContent).toBe('未开启');
    expect(comp.querySelector('.elder-badge')!.dom.className).not.toContain('elder-badge--on');
  });

  it('renders the on state from properties, with a custom label', () => {
    const comp = render({ active: true, label: '大字模式' });
    expect(comp.querySelector('.elder-badge__label')!.dom.textContent).toBe('大字模式');
    expect(comp.querySelector('.elder-badge__state')!.dom.textContent).toBe('已开启');
    expect(comp.querySelector('.elder-badge')!.dom.className).toContain('elder-badge--on');
  });

  it('asks for the opposite value on tap and leaves its own state to the page', async () => {
    const comp = render({ active: false });
    const seen: unknown[] = [];
    comp.addEventListener('change', (e) => seen.push(e.detail));
    comp.querySelector('.elder-badge')!.dispatchEvent('tap');
    await simulate.sleep(0);
    expect(seen).toEqual([{ active: true }]);
    // the page owns the value: until it passes the new property, the badge still shows off
    expect(comp.querySelector('.elder-badge__state')!.dom.textContent).toBe('未开启');

    comp.setData({ active: true });
    expect(comp.querySelector('.elder-badge__state')!.dom.textContent).toBe('已开启');
    comp.querySelector('.elder-badge')!.dispatchEvent('tap');
    await simulate.sleep(0);
    expect(seen).toEqual([{ active: true }, { active: false }]);
  });
});
