/** A V8 CPU profile (`.cpuprofile`, what node:inspector's Profiler.stop returns). */
export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber?: number }; hitCount?: number; children?: number[] }>;
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

interface Frame {
  name: string;
  where: string;
  kind: 'app' | 'framework' | 'dependency' | 'node' | 'v8';
  self: number;
  total: number;
  children: Frame[];
}

export interface FlameGraphOptions {
  title: string;
  /** The app's directory: frames under it are the app's, shown with paths relative to it. */
  root: string;
  /** The framework's directory (frames under it are stryke's). */
  frameworkDir?: string;
  /** One line under the title (what was profiled). */
  subtitle?: string;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function classify(url: string, options: FlameGraphOptions): { kind: Frame['kind']; where: string } {
  const path = url.startsWith('file://') ? decodeURIComponent(url.slice(7)) : url;
  if (!path) return { kind: 'v8', where: '' };
  if (path.startsWith('node:')) return { kind: 'node', where: path };
  const rel = (base: string) => path.slice(base.length + 1);
  if (options.frameworkDir && path.startsWith(`${options.frameworkDir}/`)) return { kind: 'framework', where: `stryke/${rel(options.frameworkDir)}` };
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) return { kind: 'dependency', where: path.slice(nm + 14) };
  if (path.startsWith(`${options.root}/`)) return { kind: 'app', where: rel(options.root) };
  return { kind: 'dependency', where: path };
}

/** The profile as a tree of frames with self and total sample counts, `(idle)` left out. */
export function frameTree(profile: CpuProfile, options: FlameGraphOptions): { root: Frame; idle: number; samples: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const hits = new Map<number, number>();
  if (profile.samples?.length) for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  else for (const n of profile.nodes) hits.set(n.id, n.hitCount ?? 0);
  let idle = 0;
  const build = (id: number): Frame | undefined => {
    const node = byId.get(id)!;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') {
      idle += hits.get(id) ?? 0;
      return undefined;
    }
    const { kind, where } = classify(url, options);
    const children = (node.children ?? []).map(build).filter((f): f is Frame => !!f && f.total > 0);
    // Siblings that are the same function (V8 splits them by inlining state) are merged.
    const merged = new Map<string, Frame>();
    for (const c of children) {
      const key = `${c.name}\u0000${c.where}`;
      const prev = merged.get(key);
      if (!prev) merged.set(key, c);
      else {
        prev.self += c.self;
        prev.total += c.total;
        prev.children.push(...c.children);
      }
    }
    const self = hits.get(id) ?? 0;
    const kids = [...merged.values()].sort((a, b) => a.name.localeCompare(b.name));
    return {
      name: functionName || (url ? '(anonymous)' : '(root)'), where: where && lineNumber >= 0 ? `${where}:${lineNumber + 1}` : where, kind: kind,
      self, total: self + kids.reduce((s, c) => s + c.total, 0), children: kids,
    };
  };
  const root = build(profile.nodes[0]!.id) ?? { name: '(root)', where: '', kind: 'v8', self: 0, total: 0, children: [] };
  root.name = '(all samples)';
  return { root, idle, samples: root.total + idle };
}

const WIDTH = 1200;
const ROW = 18;
const COLORS: Record<Frame['kind'], [number, number]> = { app: [22, 90], framework: [250, 60], dependency: [190, 45], node: [140, 25], v8: [0, 0] };

function color(kind: Frame['kind'], name: string): string {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
  const [hue, sat] = COLORS[kind];
  return `hsl(${hue + (h % 16) - 8},${sat}%,${kind === 'v8' ? 78 : 62 + (h % 14)}%)`;
}

/**
 * A self-contained flame graph (icicle: callers on top, callees below; width is the share of samples),
 * as an SVG, each frame titled with its function, file and line, and its share. No script, no network.
 */
export function flameGraphSvg(profile: CpuProfile, options: FlameGraphOptions): string {
  const { root, idle, samples } = frameTree(profile, options);
  const rects: string[] = [];
  let depth = 0;
  const scale = root.total > 0 ? WIDTH / root.total : 0;
  const draw = (f: Frame, x: number, level: number) => {
    const w = f.total * scale;
    if (w < 0.5) return;
    depth = Math.max(depth, level);
    const y = level * ROW;
    const pct = samples ? ((f.total / samples) * 100).toFixed(1) : '0';
    const selfPct = samples ? ((f.self / samples) * 100).toFixed(1) : '0';
    const label = f.where ? `${f.name} ${f.where}` : f.name;
    const chars = Math.floor((w - 6) / 6.6);
    const text = chars >= 3 ? (label.length > chars ? `${label.slice(0, chars - 1)}…` : label) : '';
    rects.push(`<g class="f ${f.kind}"><title>${esc(label)}\n${pct}% of samples (self ${selfPct}%)</title><rect x="${x.toFixed(2)}" y="${y}" width="${w.toFixed(2)}" height="${ROW - 1}" rx="2" fill="${color(f.kind, f.name)}"/>${text ? `<text x="${(x + 3).toFixed(2)}" y="${y + 13}">${esc(text)}</text>` : ''}</g>`);
    let cx = x;
    for (const c of f.children) {
      draw(c, cx, level + 1);
      cx += c.total * scale;
    }
  };
  draw(root, 0, 0);
  const height = (depth + 1) * ROW;
  const idlePct = samples ? ((idle / samples) * 100).toFixed(1) : '0';
  return `<svg xmlns="http://www.w3.org/2000/svg" class="flame" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" font-family="ui-monospace,Menlo,monospace" font-size="11">
<desc>${esc(options.title)}: ${samples} samples, ${idlePct}% idle (not drawn)</desc>
${rects.join('\n')}
</svg>`;
}

/** The flame graph in an HTML page a person opens: a legend, the graph, and the busiest functions by self time. */
export function flameGraphHtml(profile: CpuProfile, options: FlameGraphOptions): string {
  const { root, idle, samples } = frameTree(profile, options);
  const self = new Map<string, { name: string; where: string; kind: string; self: number }>();
  const walk = (f: Frame) => {
    if (f.self && f !== root) {
      const key = `${f.name}\u0000${f.where}`;
      const e = self.get(key) ?? { name: f.name, where: f.where, kind: f.kind, self: 0 };
      e.self += f.self;
      self.set(key, e);
    }
    f.children.forEach(walk);
  };
  walk(root);
  const top = [...self.values()].sort((a, b) => b.self - a.self).slice(0, 15);
  const pct = (n: number) => (samples ? `${((n / samples) * 100).toFixed(1)}%` : '0%');
  const rows = top.map((t) => `<tr><td class="num">${pct(t.self)}</td><td><span class="dot ${t.kind}"></span>${esc(t.name)}</td><td class="where">${esc(t.where)}</td></tr>`).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(options.title)}</title>
<style>
body{margin:0;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2330;background:#f6f7f9}
header{background:#111827;color:#fff;padding:16px 28px}header h1{margin:0;font-size:18px}header p{margin:2px 0 0;color:#cbd5e1;font-size:13px}
main{padding:20px 28px}.card{background:#fff;border:1px solid #e4e7ec;border-radius:10px;padding:14px 16px;margin-bottom:18px;overflow-x:auto}
.legend{display:flex;gap:16px;font-size:12px;color:#667085;margin-bottom:10px}.dot{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px}
.dot.app{background:hsl(22,90%,66%)}.dot.framework{background:hsl(250,60%,70%)}.dot.dependency{background:hsl(190,45%,66%)}.dot.node{background:hsl(140,25%,66%)}.dot.v8{background:hsl(0,0%,78%)}
svg.flame text{fill:#111;pointer-events:none}svg.flame g.f:hover rect{stroke:#111;stroke-width:1}
table{border-collapse:collapse;width:100%}td,th{padding:5px 10px;border-bottom:1px solid #eef0f3;text-align:left;font-size:13px}.num{text-align:right;width:70px}.where{color:#667085;font-family:ui-monospace,Menlo,monospace;font-size:12px}
h2{font-size:15px;margin:0 0 10px}
</style></head><body>
<header><h1>${esc(options.title)}</h1><p>${esc(options.subtitle ?? '')} · ${samples} samples, ${pct(idle)} idle (not drawn) · hover a frame for its file, line and share</p></header>
<main><section class="card"><div class="legend"><span><span class="dot app"></span>your app</span><span><span class="dot framework"></span>stryke</span><span><span class="dot dependency"></span>dependencies</span><span><span class="dot node"></span>node</span><span><span class="dot v8"></span>V8 and native code (GC, addons)</span></div>
${flameGraphSvg(profile, options)}</section>
<section class="card"><h2>Most time spent in (self)</h2><table><tbody>${rows}</tbody></table></section></main></body></html>
`;
}
