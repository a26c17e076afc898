import { routes } from 'stryke';

/** With BENCH_ROUTES=N, N more routes are declared, to measure matching with a large table. */
export default routes((r) => {
  const n = Number(process.env.BENCH_ROUTES ?? 0);
  for (let i = 0; i < n; i++) r.get(`/r${i}/:id`, 'bench#plaintext', { as: `r${i}` });
});
