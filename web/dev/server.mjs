// Development only (never bundled, never used by tests): serves dist/ and
// the app API, either
//   - faked from a steps file:  node dev/server.mjs --port 8090 --steps dev/hello-steps.json [--hold]
//     (the stream replays the file's steps at --rate per second; apply answers
//      with the file's first trace; kubectl prints a fixed table), or
//   - proxied to a running Glassplane: node dev/server.mjs --port 8090 --proxy http://127.0.0.1:8080
//     (it takes the page's session cookie from Glassplane once and adds it).
import { createServer, request } from "node:http";
import { connect } from "node:net";
import { createHash } from "node:crypto";
import { readFileSync, existsSync } from "node:fs";
import { extname, join } from "node:path";

const arg = (name, def) => { const i = process.argv.indexOf("--" + name); return i > 0 ? process.argv[i + 1] : def; };
const port = Number(arg("port", "8090"));
const proxy = arg("proxy", "");
const stepsFile = arg("steps", "dev/hello-steps.json");
const rate = Number(arg("rate", "0")); // 0: all at once
const dist = new URL("../dist/", import.meta.url).pathname;
const types = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".json": "application/json" };

let cookie = "";
async function sessionCookie() {
  if (cookie) return cookie;
  const res = await fetch(proxy + "/");
  cookie = (res.headers.get("set-cookie") || "").split(";")[0];
  return cookie;
}

function serveStatic(req, res) {
  let p = decodeURIComponent(new URL(req.url, "http://x").pathname);
  if (p === "/" || !extname(p)) p = "/index.html";
  const f = join(dist, p);
  if (!f.startsWith(dist) || !existsSync(f)) { res.writeHead(404); res.end("not found"); return; }
  res.writeHead(200, { "Content-Type": types[extname(f)] || "application/octet-stream", "Cache-Control": "no-cache" });
  res.end(readFileSync(f));
}

// ---- the fake ----
const steps = proxy ? [] : JSON.parse(readFileSync(stepsFile, "utf8"));
let pacer = { mode: "live", delayMs: 400, breakpoints: [], paused: [], waiting: [] };
let components = ["controller-manager", "kubelet/node-1", "kubelet/node-2", "kubelet/node-3", "scheduler"].map((name) => ({ name, running: true }));
const firstUserTrace = steps.find((s) => s.stage === "request" && !(s.detail?.userAgent || "").startsWith("system:"))?.trace;

function json(res, code, v) { res.writeHead(code, { "Content-Type": "application/json" }); res.end(JSON.stringify(v)); }
async function body(req) { let b = ""; for await (const c of req) b += c; return b; }

async function fake(req, res, path) {
  const m = path.replace(/^\/glassplane\/v1\/sandboxes\/[^/]+/, "");
  if (m.startsWith("/steps")) return json(res, 200, steps.filter((s) => s.seq > Number(new URL(req.url, "http://x").searchParams.get("since") || 0)));
  if (m === "/apply") { await body(req); return json(res, 200, { results: [{ index: 0, line: 1, kind: "Deployment", name: "helloworld-deployment", namespace: "default", outcome: "created", trace: firstUserTrace }] }); }
  if (m === "/kubectl") {
    const { args } = JSON.parse(await body(req));
    return json(res, 200, { stdout: args[0] === "get" ? "NAME                                     READY   STATUS    RESTARTS   AGE\nhelloworld-deployment-77dfbfc798-m8z4q   1/1     Running   0          12s\n" : "", stderr: args[0] === "get" ? "" : `(fake API) kubectl ${args.join(" ")}`, exitCode: 0 });
  }
  if (m === "/pacer" && req.method === "PUT") { pacer = { ...pacer, ...JSON.parse(await body(req)) }; return json(res, 200, pacer); }
  if (m === "/pacer") return json(res, 200, pacer);
  if (m === "/pacer/next") return json(res, 200, { released: false, pacer });
  if (m === "/components") return json(res, 200, components);
  const c = /^\/components\/([^/]+)\/(stop|start)$/.exec(m);
  if (c) { const n = decodeURIComponent(c[1]); components = components.map((x) => x.name === n ? { ...x, running: c[2] === "start" } : x); return json(res, 200, components); }
  return json(res, 404, { message: "the fake API has no " + m });
}

function wsAccept(req, sock) {
  const key = createHash("sha1").update(req.headers["sec-websocket-key"] + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest("base64");
  sock.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${key}\r\n\r\n`);
  const send = (obj) => {
    const data = Buffer.from(JSON.stringify(obj));
    const head = data.length < 126 ? Buffer.from([0x81, data.length])
      : data.length < 65536 ? Buffer.from([0x81, 126, data.length >> 8, data.length & 255])
      : Buffer.concat([Buffer.from([0x81, 127, 0, 0, 0, 0]), Buffer.from([(data.length >>> 24) & 255, (data.length >> 16) & 255, (data.length >> 8) & 255, data.length & 255])]);
    if (!sock.destroyed) sock.write(Buffer.concat([head, data]));
  };
  const since = Number(new URL(req.url, "http://x").searchParams.get("since") || 0);
  send({ type: "pacer", pacer });
  send({ type: "components", components });
  const rest = steps.filter((s) => s.seq > since);
  if (!rate) { send({ type: "steps", steps: rest }); send({ type: "live", since: rest.at(-1)?.seq ?? since }); }
  else {
    send({ type: "live", since });
    let i = 0;
    const t = setInterval(() => { if (i >= rest.length || sock.destroyed) return clearInterval(t); send({ type: "steps", steps: [rest[i++]] }); }, 1000 / rate);
  }
  sock.on("error", () => {});
  sock.on("data", (b) => { if ((b[0] & 0x0f) === 8) sock.end(); });
}

// ---- the proxy ----
async function forward(req, res) {
  const target = new URL(req.url, proxy);
  // The page is this dev server's; Glassplane refuses writes from other origins.
  const headers = { ...req.headers, host: target.host, cookie: await sessionCookie() };
  delete headers.origin;
  const up = request(target, { method: req.method, headers }, (r) => {
    res.writeHead(r.statusCode, r.headers);
    r.pipe(res);
  });
  req.pipe(up);
  up.on("error", (e) => { res.writeHead(502); res.end(String(e)); });
}

async function forwardUpgrade(req, sock, head) {
  const target = new URL(proxy);
  const c = await sessionCookie();
  const up = connect(Number(target.port || 80), target.hostname, () => {
    const headers = { ...req.headers, host: target.host, cookie: c };
    delete headers.origin;
    up.write(`GET ${req.url} HTTP/1.1\r\n` + Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join("\r\n") + "\r\n\r\n");
    up.write(head);
    up.pipe(sock); sock.pipe(up);
  });
  up.on("error", () => sock.destroy());
  sock.on("error", () => up.destroy());
}

const server = createServer((req, res) => {
  const path = new URL(req.url, "http://x").pathname;
  if (path.startsWith("/glassplane/v1/")) return void (proxy ? forward(req, res) : fake(req, res, path));
  serveStatic(req, res);
});
server.on("upgrade", (req, sock, head) => (proxy ? forwardUpgrade(req, sock, head) : wsAccept(req, sock)));
server.listen(port, "127.0.0.1", () => console.log(`dev server on http://127.0.0.1:${port}/ (${proxy ? "proxy to " + proxy : "fake API from " + stepsFile})`));
