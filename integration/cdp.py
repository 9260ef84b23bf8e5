#!/usr/bin/env python3
"""Drives headless Chromium over the DevTools protocol (stdlib only: json_websocket.py) for
integration/dashboard: watches the dashboard page live while a QEMU node boots, opens the node's waterfall and
takes screenshots. Talks to 127.0.0.1 only (the test's network namespace).

usage: cdp.py DEVTOOLS_PORT NODE TIMEOUT_SECONDS ARTIFACTS_DIR
Prints one JSON object: the stages the tile went through (in order), the waterfall's rows, the diagnosis, the
number of page loads and of stream updates applied.

usage: cdp.py DEVTOOLS_PORT --storm PREFIX COUNT TIMEOUT_SECONDS ARTIFACTS_DIR
During a storm: how long the page's main thread takes to answer (every 50 ms), until COUNT tiles whose names
start with PREFIX have left "not seen"; prints the slowest answer, the time taken and the updates applied."""
import base64, json, os, sys, time, urllib.request

from json_websocket import JSONWebSocket


class DevTools:
    """One page of Chromium, over its DevTools WebSocket."""

    def __init__(self, url):
        self.socket = JSONWebSocket(url)
        self.next_id = 0

    def call(self, method, **params):
        self.next_id += 1
        self.socket.send({"id": self.next_id, "method": method, "params": params})
        while True:
            message = self.socket.receive()
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
    # Every stage the page gives the tile, recorded in the page as it is applied: polling from here (and the
    # screenshot below) can miss a stage that the next pushed update replaces within a few milliseconds.
    tools.evaluate(f"""(() => {{
        const watched = {tile};
        window.netrootStages = [watched.dataset.stage];
        new MutationObserver(changes => changes.forEach(change => {{
            const stage = change.target.dataset.stage;
            if (change.target === watched && window.netrootStages.at(-1) !== stage)
                window.netrootStages.push(stage);
        }})).observe(document.body, {{subtree: true, attributes: true, attributeFilter: ["data-stage"]}});
    }})()""")
    stages, shot_mid = [], False
    deadline = time.time() + timeout
    while time.time() < deadline:
        stage = tools.evaluate(f"{tile}.dataset.stage")
        stages = tools.evaluate("window.netrootStages") or [stage]
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
