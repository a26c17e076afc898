/** The results as an SVG a person looks at: per test, each framework's requests per second as a bar, scaled to the test's fastest. */

const COLOURS: Record<string, string> = { stryke: '#d9480f', fastify: '#1c7ed6', express: '#868e96', nest: '#c2255c' };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function barChart(title: string, note: string, tests: string[], frameworks: string[], rps: (test: string, fw: string) => number | undefined, label: (fw: string) => string = (fw) => fw): string {
  const bar = 16;
  const gap = 4;
  const groupGap = 18;
  const left = 150;
  const width = 860;
  const plot = width - left - 150;
  const top = 64;
  const group = frameworks.length * (bar + gap) + groupGap;
  const height = top + tests.length * group + 30;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="16" font-weight="bold">${esc(title)}</text>`,
    `<text x="${width / 2}" y="42" text-anchor="middle" fill="#555">${esc(note)}</text>`,
  ];
  frameworks.forEach((fw, i) => {
    out.push(`<rect x="${left + i * 160}" y="${height - 20}" width="12" height="12" fill="${COLOURS[fw] ?? '#333'}"/><text x="${left + i * 160 + 16}" y="${height - 10}">${esc(label(fw))}</text>`);
  });
  tests.forEach((test, t) => {
    const y0 = top + t * group;
    const values = frameworks.map((fw) => rps(test, fw));
    const max = Math.max(...values.map((v) => v ?? 0), 1);
    out.push(`<text x="${left - 10}" y="${y0 + (frameworks.length * (bar + gap)) / 2 + 4}" text-anchor="end" font-weight="bold">${esc(test)}</text>`);
    frameworks.forEach((fw, i) => {
      const v = values[i];
      const y = y0 + i * (bar + gap);
      if (v === undefined) {
        out.push(`<text x="${left + 4}" y="${y + 12}" fill="#999">${esc(fw)}: not measured</text>`);
        return;
      }
      const w = Math.max(1, (v / max) * plot);
      out.push(`<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${bar}" fill="${COLOURS[fw] ?? '#333'}"/>`);
      out.push(`<text x="${left + w + 6}" y="${y + 12}">${Math.round(v).toLocaleString('en-US')} req/s</text>`);
    });
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
