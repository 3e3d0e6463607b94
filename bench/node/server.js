// The yardstick: a minimal Node.js + Socket.IO 4.8 server that does, in memory, the
// jobs the benchmark measures on ours. It is not part of the product.
//
// - Sessions: SEED_USERS users exist, user i (1-based) signs in with the cookie
//   `sid=<token i>`, token i being the hex SHA-256 of `chatty-bench-user-<i>` (the
//   load generator derives the same). Sockets without a known session are refused.
// - Each socket joins `user:<id>`, as ours does.
// - POST /api/v1/posts {"text"} creates a post in memory and emits `post:created`
//   to every socket, with the payload shape ours sends.
// - POST /api/v1/chat/messages {"to", "client_id", "text"} emits `chat:message` to the
//   sender's and the recipient's `user:<id>` rooms, as ours does after storing it.
// - Websocket transport only; it prints `listening on http://127.0.0.1:PORT`.
"use strict";

const crypto = require("node:crypto");
const http = require("node:http");
const { Server } = require("socket.io");

const users = Number(process.env.SEED_USERS || "0");
const sessions = new Map();
for (let i = 1; i <= users; i++) {
  const token = crypto.createHash("sha256").update(`chatty-bench-user-${i}`).digest("hex");
  sessions.set(token, { id: i, username: `bench${i}` });
}

function userOf(cookieHeader) {
  if (!cookieHeader) return undefined;
  for (const pair of cookieHeader.split(";")) {
    const [name, value] = pair.trim().split("=");
    if (name === "sid" && value) return sessions.get(value);
  }
  return undefined;
}

function readJson(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on("data", (chunk) => {
      size += chunk.length;
      if (size > 1_000_000) {
        reject(new Error("too large"));
        req.destroy();
      } else {
        chunks.push(chunk);
      }
    });
    req.on("end", () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      } catch (e) {
        reject(e);
      }
    });
    req.on("error", reject);
  });
}

function reply(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

const posts = [];
let nextMessageId = 1;
const conversations = new Map();

const server = http.createServer(async (req, res) => {
  if (req.url.startsWith("/socket.io/")) return; // socket.io answers these
  const user = userOf(req.headers.cookie);
  if (req.method === "GET" && req.url === "/api/v1/health") return reply(res, 200, { ok: true });
  if (!user) return reply(res, 401, { code: "unauthorized", message: "Sign in first." });
  let body;
  try {
    body = req.method === "POST" ? await readJson(req) : undefined;
  } catch {
    return reply(res, 400, { code: "bad_request", message: "Malformed JSON." });
  }
  if (req.method === "POST" && req.url === "/api/v1/posts") {
    if (typeof body.text !== "string" || body.text.length === 0) {
      return reply(res, 422, { code: "invalid", message: "Write something.", field: "text" });
    }
    const post = {
      id: posts.length + 1,
      author: user,
      text: body.text,
      color: "plain",
      feeling: null,
      privacy: "public",
      created_at: Date.now(),
      edited_at: null,
      comment_count: 0,
      reactions: {},
    };
    posts.push(post);
    io.emit("post:created", { post });
    return reply(res, 201, post);
  }
  if (req.method === "POST" && req.url === "/api/v1/chat/messages") {
    const to = Number(body.to);
    if (!Number.isInteger(to) || to < 1 || to > users || typeof body.text !== "string") {
      return reply(res, 422, { code: "invalid", message: "Bad message.", field: "to" });
    }
    const pair = user.id < to ? `${user.id}:${to}` : `${to}:${user.id}`;
    if (!conversations.has(pair)) conversations.set(pair, conversations.size + 1);
    const message = {
      id: nextMessageId++,
      conversation_id: conversations.get(pair),
      sender: user,
      client_id: String(body.client_id),
      text: body.text,
      created_at: Date.now(),
      deleted: false,
      reactions: [],
    };
    io.to(`user:${user.id}`).to(`user:${to}`).emit("chat:message", { message });
    return reply(res, 201, message);
  }
  return reply(res, 404, { code: "not_found", message: "No such endpoint." });
});

const io = new Server(server, {
  transports: ["websocket"],
  serveClient: false,
  pingInterval: Number(process.env.HEARTBEAT_INTERVAL_MS || "25000"),
  pingTimeout: Number(process.env.HEARTBEAT_TIMEOUT_MS || "20000"),
  maxHttpBufferSize: 1_000_000,
});

io.use((socket, next) => {
  const user = userOf(socket.handshake.headers.cookie);
  if (!user) return next(new Error("unauthorized"));
  socket.data.user = user;
  next();
});

io.on("connection", (socket) => {
  socket.join(`user:${socket.data.user.id}`);
});

server.listen(Number(process.env.PORT || "0"), "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});

process.on("SIGTERM", () => {
  io.close();
  server.close(() => process.exit(0));
});
