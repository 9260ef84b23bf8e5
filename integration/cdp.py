#!/usr/bin/env python3
"""Drives headless Chromium over the DevTools protocol (stdlib only: a minimal WebSocket client) for
integration/dashboard: watches the dashboard page live while a QEMU node boots, opens the node's waterfall and
takes screenshots. Talks to 127.0.0.1 only (the test's network namespace).

usage: cdp.py DEVTOOLS_PORT NODE TIMEOUT_SECONDS ARTIFACTS_DIR
Prints one JSON object: the stages the tile went through (in order), the waterfall's rows, the diagnosis, the
number of page loads and of stream updates applied.

usage: cdp.py DEVTOOLS_PORT --storm PREFIX COUNT TIMEOUT_SECONDS ARTIFACTS_DIR
During a storm: how long the page's main thread takes to answer (every 50 ms), until COUNT tiles whose names
start with PREFIX have left "not seen"; prints the slowest answer, the time taken and the updates applied."""
import base64, json, os, socket, struct, sys, time, urllib.request


class DevTools:
    def __init__(self, url):
        host_port, path = url[len("ws://"):].split("/", 1)
        host, port = host_port.split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=30)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET /{path} HTTP/1.1\r\nHost: {host_port}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n")
                          .encode())
        reply = b""
        while b"\r\n\r\n" not in reply:
            reply += self.sock.recv(1)
        if b" 101 " not in reply.split(b"\r\n")[0]:
            raise RuntimeError("no WebSocket upgrade: " + reply.decode(errors="replace"))
        self.next_id = 0

    def _exact(self, count):
        data = b""
        while len(data) < count:
            chunk = self.sock.recv(count - len(data))
            if not chunk:
                raise RuntimeError("DevTools connection closed")
            data += chunk
        return data

    def _send(self, text):
        payload = text.encode()
        mask = os.urandom(4)
        header = bytes([0x81])
        if len(payload) < 126:
            header += bytes([0x80 | len(payload)])
        elif len(payload) < 65536:
            header += bytes([0x80 | 126]) + struct.pack(">H", len(payload))
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", len(payload))
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def _receive(self):
        message = b""
        while True:
            first, second = self._exact(2)
            length = second & 0x7F
            if length == 126:
                length = struct.unpack(">H", self._exact(2))[0]
            elif length == 127:
                length = struct.unpack(">Q", self._exact(8))[0]
            payload = self._exact(length)
            if first & 0x0F in (0x1, 0x0):
                message += payload
                if first & 0x80:
                    return json.loads(message)

    def call(self, method, **params):
        self.next_id += 1
        self._send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = self._receive()
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message["result"]

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")

    def screenshot(self, path):
        data = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)["data"]
        with open(path, "wb") as out:
            out.write(base64.b64decode(data))


def page(port):
    deadline = time.time() + 20
    while True:
        try:
            targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=2))
            pages = [t for t in targets if t.get("type") == "page" and t.get("url", "").startswith("http")]
            if pages:
                break
        except OSError:
            pass
        if time.time() > deadline:
            raise SystemExit("Chromium's DevTools did not come up")
        time.sleep(0.2)
    return DevTools(pages[0]["webSocketDebuggerUrl"])


def storm(port, prefix, count, timeout, artifacts):
    tools = page(port)
    tools.call("Page.enable")
    seen = f'Array.from(document.querySelectorAll("[data-node^=\\"{prefix}\\"]"))' \
           '.filter(t => t.dataset.stage !== "not seen").length'
    updates = 'Number(document.body.dataset.updates || 0)'
    first_updates = int(tools.evaluate(updates))
    started, slowest, done = time.time(), 0.0, 0
    while time.time() - started < timeout:
        asked = time.time()
        done = tools.evaluate(seen)
        slowest = max(slowest, time.time() - asked)
        if done >= count:
            break
        time.sleep(0.05)
    took = time.time() - started
    tools.screenshot(os.path.join(artifacts, "dashboard-storm.png"))
    print(json.dumps({"tiles": done, "seconds": round(took, 2), "slowest": round(slowest, 3),
                      "updates": int(tools.evaluate(updates)) - first_updates}))


def main():
    if sys.argv[2] == "--storm":
        port, prefix, count, timeout, artifacts = sys.argv[1], sys.argv[3], int(sys.argv[4]), float(sys.argv[5]), sys.argv[6]
        return storm(port, prefix, count, timeout, artifacts)
    port, node, timeout, artifacts = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
    tools = page(port)
    tools.call("Page.enable")
    tile = f'document.querySelector("[data-node=\\"{node}\\"]")'
    # Marks this document: a reload would lose the mark, so "booted" seen with the mark is a live update.
    deadline = time.time() + 20
    while not tools.evaluate(f"!!{tile}"):
        if time.time() > deadline:
            raise SystemExit("the node's tile never appeared; the page says: "
                             + str(tools.evaluate('document.getElementById("connection").textContent + " | " + '
                                                  'location.href + " | " + document.body.innerText.slice(0, 300)')))
        time.sleep(0.1)
    tools.evaluate("window.netrootTestMark = 1")
    stages, shot_mid = [], False
    deadline = time.time() + timeout
    while time.time() < deadline:
        stage = tools.evaluate(f"{tile}.dataset.stage")
        if not stages or stages[-1] != stage:
            stages.append(stage)
        if not shot_mid and stage not in ("not seen", "powered on"):
            tools.screenshot(os.path.join(artifacts, "dashboard-booting.png"))
            shot_mid = True
        if stage in ("booted", "failed"):
            break
        time.sleep(0.1)
    tools.evaluate(f"{tile}.click()")
    deadline = time.time() + 10
    rows = []
    while time.time() < deadline:
        rows = tools.evaluate('Array.from(document.querySelectorAll("#waterfall .row")).map(r => '
                              '({service: r.dataset.service, step: r.dataset.step, '
                              'figures: r.querySelector(".figures").textContent}))') or []
        if rows and tools.evaluate('document.getElementById("detail").dataset.stage') == stages[-1]:
            break
        time.sleep(0.2)
    time.sleep(0.5)  # one more frame for the layout before the picture
    tools.screenshot(os.path.join(artifacts, "dashboard.png"))
    print(json.dumps({
        "stages": stages,
        "rows": rows,
        "diagnosis": tools.evaluate('Array.from(document.querySelectorAll("#diagnosis li")).map(l => l.textContent)'),
        "sameDocument": tools.evaluate("window.netrootTestMark === 1"),
        "updates": int(tools.evaluate("Number(document.body.dataset.updates || 0)")),
        "connection": tools.evaluate('document.getElementById("connection").dataset.state'),
        "unknown": tools.evaluate('Array.from(document.querySelectorAll("#unknown tbody tr")).map(r => r.dataset.client)'),
        "legend": tools.evaluate('document.getElementById("legend").textContent'),
    }))


if __name__ == "__main__":
    main()
