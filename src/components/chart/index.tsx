/**
 * <Chart>: one small chart (AntV F2 on a canvas) with a one-line Chinese summary that is always shown
 * as text, and every number of the chart listed under it when the chart is tapped.
 *
 *   <Chart id='quiz-trend' kind='line' title='近 30 天答题参与率' unit='%' max={100}
 *          summary='近 30 天平均每天 64% 的党员答题，今天 12/19 人'
 *          points={[{ label: '11-01', value: 58 }, …]} />
 *
 * Props (all the API there is):
 *   id       unique on the page; inside it `#${id}-summary`, `#${id}-canvas`, `#${id}-toggle` and,
 *            once tapped, `#${id}-numbers` (one `.chart-number` per point, in order)
 *   kind     'line'     a series over time (labels in order)
 *            'bar'      one horizontal bar per label (names of branches, activities)
 *            'progress' one horizontal bar per label measured against its own `target`: the bar is
 *                       value/target in %, with a line at 100% (达标)
 *   title    the card title
 *   summary  the one sentence a person reads instead of the chart; say the figure that matters
 *   points   { label, value, target?, unit?, text? }[]; `target` only for 'progress'; `text` replaces
 *            value + unit in the numbers list
 *   unit     appended to the numbers in the list ('%', '学时', '人'); a point's own `unit` wins
 *   max      fixed top of the value axis ('line'/'bar'; e.g. 100 for rates); default: from the data
 *   goal     a dashed reference line at this value ('line'/'bar'), e.g. the branch's target rate
 *
 * Import it only from subpackage pages: F2 is ~500 KB and must stay out of the main package.
 * On WeChat it draws on a `type='2d'` canvas (node from a selector query); on H5 on a DOM canvas.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import Taro from '@tarojs/taro';
import { Canvas as MiniCanvas, Text, View } from '@tarojs/components';
import { Axis, Canvas, Chart as F2Chart, Interval, Line, LineGuide, Point, jsx as f2jsx, type CanvasProps } from '@antv/f2';
import './chart.scss';

export interface ChartPoint {
  label: string;
  value: number;
  /** 'progress' only: what `value` is measured against */
  target?: number;
  /** this point's unit in the numbers list, when it differs from the chart's */
  unit?: string;
  /** the figure as the numbers list says it, when the page has its own wording (e.g. '<1%') */
  text?: string;
}

export interface ChartProps {
  id: string;
  kind: 'line' | 'bar' | 'progress';
  title: string;
  summary: string;
  points: ChartPoint[];
  unit?: string;
  max?: number;
  goal?: number;
}

// F2's element factory without JSX: its generic component types do not fit its own `jsx` signature
type F2Node = ReturnType<typeof f2jsx>;
const jsx = f2jsx as unknown as (type: unknown, props: Record<string, unknown>, ...children: unknown[]) => F2Node;

/** A `type='2d'` canvas node on WeChat, as a selector query hands it over. */
interface MiniCanvasNode {
  width: number;
  height: number;
  getContext(type: '2d'): CanvasRenderingContext2D;
  requestAnimationFrame(cb: () => void): number;
  cancelAnimationFrame(id: number): void;
}

const RED = '#C8161D';
const GOAL = '#666666';
const LABEL = { fill: '#4a4a4a', fontSize: 11 };

/** The share of its target a point reaches, in whole percent (a target of 0 counts as met). */
export const percentOf = (p: ChartPoint) => (p.target && p.target > 0 ? Math.round((p.value / p.target) * 100) : 100);

/** One line of the numbers list, as a person reads it aloud. */
export function numberLine(p: ChartPoint, kind: ChartProps['kind'], chartUnit = ''): string {
  const unit = p.unit ?? chartUnit;
  if (p.text !== undefined) return `${p.label}：${p.text}`;
  if (kind === 'progress') return `${p.label}：${p.value}/${p.target ?? 0}${unit}（${percentOf(p)}%）`;
  return `${p.label}：${p.value}${unit}`;
}

/** css px height of the drawing: horizontal bars grow with their count so names stay readable */
const heightOf = (kind: ChartProps['kind'], n: number) => (kind === 'line' ? 200 : Math.max(120, 40 + n * 34));

function scene(props: ChartProps) {
  const { kind, points, max, goal } = props;
  if (kind === 'line') {
    const data = points.map((p, i) => ({ i, label: p.label, value: p.value }));
    // a tick every ~5 labels: 30 dates side by side would overlap
    const every = Math.max(1, Math.ceil(points.length / 6));
    const children = [
      jsx(Axis, { field: 'label', style: { label: LABEL }, formatter: (v: string) => (data.findIndex((d) => d.label === v) % every === 0 ? v : '') }),
      jsx(Axis, { field: 'value', style: { label: LABEL } }),
      jsx(Line, { x: 'label', y: 'value', color: RED }),
      jsx(Point, { x: 'label', y: 'value', color: RED, size: 3 }),
    ];
    if (goal !== undefined && data.length > 1) {
      children.push(jsx(LineGuide, { records: [{ label: data[0].label, value: goal }, { label: data[data.length - 1].label, value: goal }], style: { stroke: GOAL, lineDash: [4, 4] } }));
    }
    return jsx(F2Chart, { data, scale: { value: { min: 0, ...(max !== undefined ? { max } : {}), nice: max === undefined } } }, ...children);
  }
  const progress = kind === 'progress';
  // bars read top to bottom in the order given; F2's transposed axis runs bottom-up
  const data = [...points].reverse().map((p) => ({ label: p.label, value: progress ? percentOf(p) : p.value }));
  const top = progress ? Math.max(100, ...data.map((d) => d.value)) : max;
  const line = progress ? 100 : goal;
  const children = [
    jsx(Axis, { field: 'label', style: { label: { ...LABEL, fontSize: 12 } } }),
    jsx(Axis, { field: 'value', style: { label: LABEL } }),
    jsx(Interval, { x: 'label', y: 'value', color: RED, style: { radius: 2 } }),
  ];
  if (line !== undefined && data.length) {
    const records = [{ label: data[0].label, value: line }, { label: data[data.length - 1].label, value: line }];
    children.push(jsx(LineGuide, { records, style: { stroke: GOAL, lineDash: [4, 4], lineWidth: 1.5 } }));
  }
  return jsx(F2Chart, { data, coord: { transposed: true }, scale: { value: { min: 0, ...(top !== undefined ? { max: top } : {}), nice: top === undefined } } }, ...children);
}

interface Surface {
  context: CanvasRenderingContext2D;
  width: number;
  height: number;
  pixelRatio: number;
  raf?: (cb: () => void) => number;
  caf?: (id: number) => void;
}

/** The 2d context and size of the canvas once it is on screen. */
function surfaceOf(id: string, height: number, el: HTMLCanvasElement | null): Promise<Surface | null> {
  if (process.env.TARO_ENV === 'h5') {
    if (!el) return Promise.resolve(null);
    const pixelRatio = window.devicePixelRatio || 1;
    const width = el.clientWidth || el.parentElement?.clientWidth || 320;
    el.width = Math.round(width * pixelRatio);
    el.height = Math.round(height * pixelRatio);
    const context = el.getContext('2d');
    return Promise.resolve(context ? { context, width, height, pixelRatio } : null);
  }
  return new Promise((resolve) => {
    Taro.createSelectorQuery()
      .select(`#${id}-canvas`)
      .fields({ node: true, size: true })
      .exec((res) => {
        const hit = res?.[0] as { node?: MiniCanvasNode; width?: number; height?: number } | undefined;
        if (!hit?.node) return resolve(null);
        const { node } = hit;
        const width = hit.width ?? 320;
        const h = hit.height ?? height;
        const pixelRatio = Taro.getWindowInfo?.().pixelRatio ?? 2;
        node.width = Math.round(width * pixelRatio);
        node.height = Math.round(h * pixelRatio);
        resolve({
          context: node.getContext('2d'),
          width,
          height: h,
          pixelRatio,
          // a 2d canvas node has its own frame clock on WeChat; there is no global one
          raf: (cb) => node.requestAnimationFrame(cb),
          caf: (n) => node.cancelAnimationFrame(n),
        });
      });
  });
}

export function Chart(props: ChartProps) {
  const { id, kind, title, summary, points, unit = '' } = props;
  const [open, setOpen] = useState(false);
  const [failed, setFailed] = useState(false);
  const domCanvas = useRef<HTMLCanvasElement | null>(null);
  const latest = useRef(props);
  latest.current = props;
  const height = heightOf(kind, points.length);
  // redraw only when what is drawn changes, not on every parent render
  const key = useMemo(() => JSON.stringify([kind, points, props.max, props.goal]), [kind, points, props.max, props.goal]);

  useEffect(() => {
    if (!points.length) return undefined;
    let chart: Canvas | null = null;
    let gone = false;
    // after this render is on screen: WeChat's selector query needs the node laid out
    const timer = setTimeout(() => {
      surfaceOf(id, height, domCanvas.current)
        .then(async (s) => {
          if (!s || gone) return;
          chart = new Canvas({
            context: s.context,
            width: s.width,
            height: s.height,
            pixelRatio: s.pixelRatio,
            animate: false,
            // room for the last axis label ("100") at the right edge
            padding: [12, 20, 8, 8],
            ...(s.raf ? { requestAnimationFrame: s.raf, cancelAnimationFrame: s.caf } : {}),
            children: scene(latest.current),
          } as CanvasProps);
          await chart.render();
        })
        .catch(() => setFailed(true));
    }, 0);
    return () => {
      gone = true;
      clearTimeout(timer);
      chart?.destroy();
    };
  }, [key, id, height, points.length]);

  return (
    <View className='card chart' id={id}>
      <Text className='card-title'>{title}</Text>
      <Text className='text chart-summary' id={`${id}-summary`}>
        {summary}
      </Text>
      {points.length ? (
        <View className='chart-area' onClick={() => setOpen(!open)} style={{ height: `${height}px` }}>
          {process.env.TARO_ENV === 'h5' ? (
            <canvas id={`${id}-canvas`} ref={domCanvas} className='chart-canvas' style={{ width: '100%', height: `${height}px` }} />
          ) : (
            <MiniCanvas type='2d' id={`${id}-canvas`} className='chart-canvas' style={{ width: '100%', height: `${height}px` }} />
          )}
        </View>
      ) : null}
      {failed ? <Text className='muted'>图表没有画出来，数字见下方</Text> : null}
      {points.length ? (
        <Text className='link chart-toggle' id={`${id}-toggle`} onClick={() => setOpen(!open)}>
          {open ? '收起数字' : '点图表看每一项的数字'}
        </Text>
      ) : null}
      {open || failed ? (
        <View className='chart-numbers' id={`${id}-numbers`}>
          {points.map((p, i) => (
            <Text key={i} className='text chart-number'>
              {numberLine(p, kind, unit)}
            </Text>
          ))}
        </View>
      ) : null}
    </View>
  );
}
