// The official npm socket.io-client v4 against a running MyRelay API (API_URL).
import { test } from "node:test";
import assert from "node:assert/strict";
import { io } from "socket.io-client";

const API = process.env.API_URL ?? "http://127.0.0.1:8080";

async function call(method, path, token, body) {
  const res = await fetch(API + path, {
    method,
    headers: {
      "content-type": "application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

let n = 0;
async function register(name) {
  const r = await call("POST", "/auth/register", null, {
    email: `${name}-${process.pid}-${n++}@interop.example`,
    password: "password-123",
    display_name: name,
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

function connect(token, transports) {
  return new Promise((resolve, reject) => {
    const s = io(API, { auth: token ? { token } : undefined, transports, reconnection: false, forceNew: true });
    s.once("connect", () => resolve(s));
    s.once("connect_error", (e) => {
      s.close();
      reject(e);
    });
  });
}

const once = (socket, event, ms = 3000) =>
  new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms);
    socket.once(event, (data) => {
      clearTimeout(t);
      resolve(data);
    });
  });

for (const transports of [["websocket"], ["polling"]]) {
  test(`connect, join, send/ack, receive over ${transports[0]}`, async () => {
    const user = await register("interop-user");
    const ticket = await call("POST", "/tickets", user.token, { description: "interop test" });
    assert.equal(ticket.status, 201);
    const a = await connect(user.token, transports);
    const b = await connect(user.token, transports); // a second tab
    try {
      const ja = await a.emitWithAck("ticket:join", { ticket_id: ticket.body.id });
      assert.equal(ja.ok, true);
      assert.equal(ja.ticket.id, ticket.body.id);
      const jb = await b.emitWithAck("ticket:join", { ticket_id: ticket.body.id, after_seq: 0 });
      assert.equal(jb.ok, true);
      assert.deepEqual(jb.missed_messages, []);
      const incoming = once(b, "ticket:message:new");
      const ack = await a.emitWithAck("ticket:message:send", {
        ticket_id: ticket.body.id,
        content: `hello over ${transports[0]}`,
        client_id: crypto.randomUUID(),
      });
      assert.equal(ack.ok, true, JSON.stringify(ack));
      assert.equal(ack.message.seq, 1);
      const got = await incoming;
      assert.deepEqual(got.message, ack.message);
      const bad = await a.emitWithAck("ticket:message:send", { ticket_id: ticket.body.id });
      assert.equal(bad.ok, false);
      assert.equal(typeof bad.error.code, "string");
    } finally {
      a.close();
      b.close();
    }
  });
}

test("a bad token gets connect_error 'unauthorized'", async () => {
  await assert.rejects(connect("not-a-token", ["websocket"]), (e) => e.message === "unauthorized");
  await assert.rejects(connect(undefined, ["polling"]), (e) => e.message === "unauthorized");
});

test("the default transport upgrades from polling to websocket", async () => {
  const user = await register("interop-upgrade");
  const s = await connect(user.token, undefined);
  try {
    if (s.io.engine.transport.name !== "websocket") await once(s.io.engine, "upgrade");
    assert.equal(s.io.engine.transport.name, "websocket");
  } finally {
    s.close();
  }
});
