/**
 * The throughput chart: a server-rendered SVG (no script, no inline style: classes the dashboard's
 * stylesheet colours), completed jobs stacked under failed ones per minute.
 */
export function throughputSvg(series: { start: number; completed: number[]; failed: number[] }): string {
  const W = 720, H = 180, PAD_L = 36, PAD_B = 22, PAD_T = 10;
  const n = series.completed.length;
  const totals = series.completed.map((c, i) => c + series.failed[i]!);
  const max = Math.max(1, ...totals);
  const nice = max <= 5 ? max : Math.ceil(max / 5) * 5;
  const plotW = W - PAD_L - 8, plotH = H - PAD_B - PAD_T;
  const bw = plotW / n;
  const y = (v: number) => PAD_T + plotH - (v / nice) * plotH;
  const parts: string[] = [];
  for (const t of [0, nice / 2, nice]) {
    const label = Number.isInteger(t) ? String(t) : t.toFixed(1);
    parts.push(`<line class="grid" x1="${PAD_L}" x2="${W - 8}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}"/><text class="axis" x="${PAD_L - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end">${label}</text>`);
  }
  for (let i = 0; i < n; i++) {
    const x = (PAD_L + i * bw + 1).toFixed(1);
    const w = Math.max(bw - 2, 1).toFixed(1);
    const c = series.completed[i]!, f = series.failed[i]!;
    const minute = new Date(series.start + i * 60_000).toISOString().slice(11, 16);
    if (c) parts.push(`<rect class="ok" x="${x}" y="${y(c).toFixed(1)}" width="${w}" height="${(y(0) - y(c)).toFixed(1)}"><title>${minute} UTC: ${c} completed</title></rect>`);
    if (f) parts.push(`<rect class="bad" x="${x}" y="${y(c + f).toFixed(1)}" width="${w}" height="${(y(c) - y(c + f)).toFixed(1)}"><title>${minute} UTC: ${f} failed</title></rect>`);
    if (i % 10 === 0 || i === n - 1) parts.push(`<text class="axis" x="${(PAD_L + i * bw + bw / 2).toFixed(1)}" y="${H - 6}" text-anchor="middle">${minute}</text>`);
  }
  return `<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="Jobs finished per minute, last ${n} minutes" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>`;
}
