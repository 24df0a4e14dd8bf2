// The image's health check (HEALTHCHECK in the Containerfile; Kubernetes uses its own httpGet
// probes instead): GET /healthz on the server's own port, healthy on 200 within 2 s.
const port = process.env.OFFLOAD_PORT || '8080';
const ac = new AbortController();
setTimeout(() => ac.abort(), 2000).unref();
try {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: ac.signal });
  process.exit(res.status === 200 ? 0 : 1);
} catch {
  process.exit(1);
}
