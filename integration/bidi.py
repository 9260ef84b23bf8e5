#!/usr/bin/env python3
"""Drives headless Firefox over WebDriver BiDi (stdlib only: json_websocket.py) for integration/dashboard: the
same page as Chromium, in the second browser the dashboard must work in. Talks to 127.0.0.1 only (the test's
network namespace).

usage: bidi.py BIDI_PORT NODE LIVE_NODE READY_FILE TIMEOUT_SECONDS ARTIFACTS_DIR
Waits for NODE's tile, marks the document, writes READY_FILE (the test then makes LIVE_NODE ask DHCP) and
waits for LIVE_NODE's tile to leave "not seen" by a pushed update; opens NODE's waterfall and takes a
screenshot. Prints one JSON object: the browser, NODE's stage, the waterfall's rows, the diagnosis, LIVE_NODE's
stage, whether it is still the same document, the stream updates applied and the connection state."""
import base64, json, os, sys, time

from json_websocket import JSONWebSocket


class BiDi:
    """One browsing context of Firefox, over a WebDriver BiDi session."""

    def __init__(self, port):
        deadline = time.time() + 30
        while True:
            try:
                self.socket = JSONWebSocket(f"ws://127.0.0.1:{port}/session")
                break
            except (OSError, RuntimeError):
                if time.time() > deadline:
                    raise SystemExit("Firefox's WebDriver BiDi did not come up")
                time.sleep(0.2)
        self.next_id = 0
        self.browser = self.call("session.new", capabilities={})["capabilities"]
        self.context = None
        while self.context is None:
            contexts = self.call("browsingContext.getTree")["contexts"]
            pages = [c for c in contexts if c.get("url", "").startswith("http")]
            if pages:
                self.context = pages[0]["context"]
            elif time.time() > deadline:
                raise SystemExit("Firefox never opened the page: " + json.dumps(contexts))
            else:
                time.sleep(0.2)

    def call(self, method, **params):
        self.next_id += 1
        self.socket.send({"id": self.next_id, "method": method, "params": params})
        while True:
            message = self.socket.receive()
            if message.get("id") == self.next_id:
                if message.get("type") == "error":
                    raise RuntimeError(f"{method}: {message.get('error')}: {message.get('message')}")
                return message["result"]

    def evaluate(self, expression):
        """The expression's value, through JSON (BiDi's own serialisation of values is typed and nested)."""
        result = self.call("script.evaluate", expression=f"JSON.stringify({expression})",
                           target={"context": self.context}, awaitPromise=False)
        if result.get("type") != "success":
            raise RuntimeError(f"{expression}: {result.get('exceptionDetails', {}).get('text')}")
        value = result["result"].get("value")
        return None if value is None else json.loads(value)

    def screenshot(self, path):
        data = self.call("browsingContext.captureScreenshot", context=self.context, origin="document")["data"]
        with open(path, "wb") as out:
            out.write(base64.b64decode(data))


def wait_for(browser, expression, timeout, what):
    deadline = time.time() + timeout
    while True:
        value = browser.evaluate(expression)
        if value:
            return value
        if time.time() > deadline:
            raise SystemExit(f"{what}; the page says: "
                             + str(browser.evaluate('document.body ? document.body.innerText.slice(0, 300) : ""')))
        time.sleep(0.1)


def main():
    port, node, live_node, ready_file = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
    timeout, artifacts = float(sys.argv[5]), sys.argv[6]
    browser = BiDi(port)
    tile = lambda name: f'document.querySelector("[data-node=\\"{name}\\"]")'
    wait_for(browser, f'!!{tile(live_node)} && !!{tile(node)}', 20, "the tiles never appeared")
    browser.evaluate("window.netrootTestMark = 1")
    wait_for(browser, 'document.getElementById("connection").dataset.state === "live"', 10,
             "the event stream never went live")
    with open(ready_file, "w") as ready:
        ready.write("ready\n")
    wait_for(browser, f'{tile(live_node)}.dataset.stage !== "not seen"', timeout,
             f"{live_node}'s tile never left 'not seen'")
    browser.evaluate(f"{tile(node)}.click()")
    wait_for(browser, 'document.querySelectorAll("#waterfall .row").length > 0', 10, "the waterfall stayed empty")
    time.sleep(0.5)  # one more frame for the layout before the picture
    browser.screenshot(os.path.join(artifacts, "dashboard-firefox.png"))
    print(json.dumps({
        "browser": f'{browser.browser.get("browserName")} {browser.browser.get("browserVersion")}',
        "stage": browser.evaluate(f"{tile(node)}.dataset.stage"),
        "rows": browser.evaluate('Array.from(document.querySelectorAll("#waterfall .row")).map(r => '
                                 '({service: r.dataset.service, step: r.dataset.step, '
                                 'figures: r.querySelector(".figures").textContent}))'),
        "diagnosis": browser.evaluate('Array.from(document.querySelectorAll("#diagnosis li")).map(l => l.textContent)'),
        "liveStage": browser.evaluate(f"{tile(live_node)}.dataset.stage"),
        "sameDocument": browser.evaluate("window.netrootTestMark === 1"),
        "updates": int(browser.evaluate("Number(document.body.dataset.updates || 0)")),
        "connection": browser.evaluate('document.getElementById("connection").dataset.state'),
    }))


if __name__ == "__main__":
    main()
