#!/usr/bin/env python3
"""Loads a report.html in headless Chromium through the DevTools protocol (over a pipe, standard
library only) and checks what a reader relies on: no console error or uncaught exception, no
request for anything but the file itself, every chart drawn with a non-zero size, a screenshot
that is not blank, and a PDF on A4 and on Letter; then on a phone (420 pixels wide), that the
page does not scroll sideways and every chart is drawn wide enough for its labels to be read
(its screenshot beside the other, `-phone` added to its name).

usage: check_report.py REPORT.html SCREENSHOT.png [EXPECTED_CHARTS]
Exit code 0 when every check passes; 1 when one fails (each failure is printed); 3 when Chromium
would not start (what it printed and this machine's limits are shown); 4 when a hard limit on
the address space, below what Chromium reserves, keeps any browser from running here.
"""

import base64
import json
import os
import pathlib
import resource
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib

TIMEOUT_S = 60
# A browser that has not answered its first command by then will not: start it another way.
START_TIMEOUT_S = 20
# Chromium reserves this much address space at start (see lift_limits).
NEEDED_ADDRESS_SPACE = 96 << 30
# Exit codes beside 0 and 1, for run.sh: the browser would not start (3); this machine caps the
# address space below what Chromium needs, so the check cannot run here at all (4).
EXIT_NO_BROWSER, EXIT_CANNOT_RUN_HERE = 3, 4
# A phone's width in CSS pixels, and the narrowest a chart may be drawn there: charts are 1,200
# pixels wide with labels of 16, which below 600 would be set under 8 pixels.
PHONE_WIDTH, CHART_MIN_WIDTH = 420, 600


def temp_root():
    """A writable temporary folder with a short path. Chromium puts its profile lock's socket
    there and dies at start when it cannot: a read-only /tmp, or a TMPDIR so long that the
    socket's path passes the 107 bytes a Unix socket allows, both end it before it answers."""
    candidates = [tempfile.gettempdir(), "/tmp", "/var/tmp", "/dev/shm"]
    for folder in candidates:
        if len(folder) <= 40 and os.path.isdir(folder) and os.access(folder, os.W_OK | os.X_OK):
            return folder
    raise RuntimeError(f"no writable temporary folder with a short path among {candidates}")


def lift_limits():
    """Chromium reserves far more address space than it uses (V8's cages, the allocator's pools):
    measured on Chromium 156, it starts under a 95 GiB cap, hangs under 61 GiB and dies silently
    under 32 GiB; it also wants more than a few hundred open files. The browser (only) gets its
    soft limits raised to the hard ones, which any user may do; a hard cap too low for it is
    reported before the start (address_space_cap)."""
    for limit in (resource.RLIMIT_AS, resource.RLIMIT_NOFILE):
        hard = resource.getrlimit(limit)[1]
        resource.setrlimit(limit, (hard, hard))


class Browser:
    """Chromium with --remote-debugging-pipe: commands on its fd 3, replies and events on fd 4."""

    def __init__(self, executable, profile, extra_flags=()):
        os.makedirs(profile)
        self.log_path = os.path.join(profile, "chromium.log")
        to_browser_r, self.to_browser = os.pipe()
        self.from_browser, from_browser_w = os.pipe()

        def fds():
            # Copies above 4 first, so neither end is overwritten by the other's move; then 3
            # and 4, marked inheritable so the browser finds them after exec.
            reader, writer = os.dup(to_browser_r), os.dup(from_browser_w)
            reader, writer = os.dup2(reader, 10), os.dup2(writer, 11)
            os.dup2(reader, 3)
            os.dup2(writer, 4)
            os.set_inheritable(3, True)
            os.set_inheritable(4, True)
            lift_limits()

        flags = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            # Shared memory in the temporary folder below, not /dev/shm, which a container may
            # keep small or read-only.
            "--disable-dev-shm-usage",
            "--disable-extensions",
            "--disable-default-apps",
            "--hide-scrollbars",
            "--remote-debugging-pipe",
            f"--user-data-dir={profile}/data",
            *extra_flags,
            "about:blank",
        ]
        env = dict(os.environ, TMPDIR=temp_root())
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [executable, *flags],
            # The pipes are not inherited (PEP 446); only their copies on fds 3 and 4 are, and
            # closing the others must wait for exec, hence no close_fds.
            close_fds=False,
            preexec_fn=fds,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self.buffer = b""
        self.next_id = 0
        self.events = []

    def _read_message(self, deadline):
        while b"\0" not in self.buffer:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no answer from the browser\n{self.log_tail()}")
            chunk = os.read(self.from_browser, 1 << 20)
            if not chunk:
                raise RuntimeError(f"the browser closed its pipe\n{self.log_tail()}")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def log_tail(self, lines=30):
        """The last lines Chromium printed, so a browser that dies says why."""
        self.log.flush()
        with open(self.log_path, "rb") as log:
            text = log.read().decode(errors="replace").splitlines()
        shown = "\n".join(f"  chromium: {line}" for line in text[-lines:])
        return f"what chromium printed (last {lines} lines):\n{shown}" if text else "chromium printed nothing"

    def send(self, method, params=None, session=None, timeout=TIMEOUT_S):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method, since=0):
        """The first event `method` among those from the `since`-th on, waiting for it."""
        deadline = time.monotonic() + TIMEOUT_S
        for event in self.events[since:]:
            if event.get("method") == method:
                return event
        while True:
            event = self._read_message(deadline)
            self.events.append(event)
            if event.get("method") == method:
                return event

    def close(self):
        try:
            self.send("Browser.close")
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


# How Chromium is started: as usual, then, if it dies before its first answer, in one process
# without the zygote, which needs neither the process forks nor the namespaces a locked-down
# container may refuse.
ATTEMPTS = [(), ("--no-zygote", "--single-process")]


def start(executable, profile):
    """A browser that has answered, and its targets; each failed start is reported on stderr."""
    for attempt, flags in enumerate(ATTEMPTS, start=1):
        browser = Browser(executable, os.path.join(profile, str(attempt)), flags)
        try:
            answer = browser.send("Target.getTargets", timeout=START_TIMEOUT_S)
            return browser, answer["targetInfos"]
        except (RuntimeError, OSError) as failure:
            browser.close()
            if attempt == len(ATTEMPTS):
                raise
            print(f"start {attempt} of Chromium failed: {failure}", file=sys.stderr)
    raise AssertionError("unreachable")


def png_ink(data):
    """The share of pixels of a PNG (8-bit RGB or RGBA) that are not near white."""
    pos, chunks, header = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            chunks.append(body)
        pos += 12 + length
    width, height, depth, colour = header[0], header[1], header[2], header[3]
    if depth != 8 or colour not in (2, 6):
        raise ValueError(f"unexpected PNG format: depth {depth}, colour type {colour}")
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(chunks))
    stride = width * bpp
    previous = bytearray(stride)
    inked = 0
    for y in range(height):
        start = y * (stride + 1)
        kind = raw[start]
        line = bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up = previous[i]
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                corner = previous[i - bpp] if i >= bpp else 0
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                pred = left if pa <= pb and pa <= pc else (up if pb <= pc else corner)
                line[i] = (line[i] + pred) & 0xFF
        for x in range(0, stride, bpp):
            if min(line[x], line[x + 1], line[x + 2]) < 200:
                inked += 1
        previous = line
    return inked / (width * height)


def address_space_cap():
    """The hard address-space limit, in bytes, or None when there is none."""
    hard = resource.getrlimit(resource.RLIMIT_AS)[1]
    return None if hard == resource.RLIM_INFINITY else hard


def limits_and_folders():
    """What a reader of a failed start needs to know of this machine."""
    lines = []
    for name in ("RLIMIT_AS", "RLIMIT_NOFILE", "RLIMIT_NPROC"):
        soft, hard = resource.getrlimit(getattr(resource, name))
        show = lambda v: "unlimited" if v == resource.RLIM_INFINITY else str(v)
        lines.append(f"  {name}: soft {show(soft)}, hard {show(hard)}")
    lines.append(f"  TMPDIR={os.environ.get('TMPDIR', '(unset)')}; temporary folder used: {temp_root()}")
    for folder in ("/tmp", "/dev/shm"):
        if os.path.isdir(folder):
            stat = os.statvfs(folder)
            writable = os.access(folder, os.W_OK)
            lines.append(f"  {folder}: {stat.f_bavail * stat.f_frsize >> 20} MiB free, writable {writable}")
    return "\n".join(lines)


def main():
    if len(sys.argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    report = pathlib.Path(sys.argv[1]).resolve()
    screenshot = pathlib.Path(sys.argv[2])
    expected_charts = int(sys.argv[3]) if len(sys.argv) == 4 else None
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if not executable:
        print("no chromium on the PATH", file=sys.stderr)
        return 2
    cap = address_space_cap()
    if cap is not None and cap < NEEDED_ADDRESS_SPACE:
        print(
            f"cannot run a browser here: the address space is capped at {cap >> 30} GiB by a hard "
            f"limit this user may not raise, and Chromium reserves about {NEEDED_ADDRESS_SPACE >> 30} GiB"
        )
        return EXIT_CANNOT_RUN_HERE
    url = report.as_uri()
    failures = []
    with tempfile.TemporaryDirectory(prefix="cutover-browser-", dir=temp_root()) as profile:
        try:
            browser, targets = start(executable, profile)
        except (RuntimeError, OSError) as failure:
            print(f"Chromium would not start: {failure}\nthis machine:\n{limits_and_folders()}")
            return EXIT_NO_BROWSER
        try:
            page = next(t for t in targets if t["type"] == "page")
            session = browser.send(
                "Target.attachToTarget", {"targetId": page["targetId"], "flatten": True}
            )["sessionId"]
            for domain in ("Page", "Runtime", "Log", "Network"):
                browser.send(f"{domain}.enable", session=session)
            browser.send(
                "Emulation.setDeviceMetricsOverride",
                {"width": 1280, "height": 960, "deviceScaleFactor": 1, "mobile": False},
                session=session,
            )
            browser.events.clear()
            browser.send("Page.navigate", {"url": url}, session=session)
            browser.wait_for("Page.loadEventFired")
            # What a script on the page finds, given back as JSON text.
            def evaluate(expression):
                reply = browser.send(
                    "Runtime.evaluate",
                    {"expression": f"JSON.stringify({expression})", "returnByValue": True},
                    session=session,
                )
                return json.loads(reply["result"]["value"])

            sizes = evaluate(
                "[...document.querySelectorAll('figure.chart')]"
                ".map(f => { const s = f.querySelector('svg');"
                " const r = s ? s.getBoundingClientRect() : {width: 0, height: 0};"
                " return [f.id, r.width, r.height]; })"
            )
            shot = base64.b64decode(
                browser.send("Page.captureScreenshot", {"format": "png"}, session=session)["data"]
            )
            pdfs = {}
            for paper, (w, h) in {"A4": (8.27, 11.69), "Letter": (8.5, 11.0)}.items():
                pdf = base64.b64decode(
                    browser.send(
                        "Page.printToPDF",
                        {"paperWidth": w, "paperHeight": h, "printBackground": True},
                        session=session,
                    )["data"]
                )
                pdfs[paper] = pdf
            browser.send(
                "Emulation.setDeviceMetricsOverride",
                {"width": PHONE_WIDTH, "height": 900, "deviceScaleFactor": 1, "mobile": True},
                session=session,
            )
            # The first load's event is still in the list: wait for the reload's own.
            loaded_before = len(browser.events)
            browser.send("Page.reload", {}, session=session)
            browser.wait_for("Page.loadEventFired", since=loaded_before)
            phone = evaluate(
                "{page: document.documentElement.scrollWidth,"
                " charts: [...document.querySelectorAll('figure.chart svg')]"
                ".map(s => [s.closest('figure').id, s.getBoundingClientRect().width])}"
            )
            phone_shot = base64.b64decode(
                browser.send("Page.captureScreenshot", {"format": "png"}, session=session)["data"]
            )
        finally:
            browser.close()

    for event in browser.events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.exceptionThrown":
            failures.append(f"uncaught exception: {params['exceptionDetails'].get('text')}")
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            failures.append(f"console {params['type']}: {params.get('args')}")
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            failures.append(f"console error: {params['entry'].get('text')}")
        elif method == "Network.requestWillBeSent":
            requested = params["request"]["url"]
            if requested != url:
                failures.append(f"request outside the file: {requested}")
        elif method == "Network.loadingFailed":
            failures.append(f"failed to load: {params.get('errorText')}")
    if not sizes and expected_charts != 0:
        failures.append("no chart on the page")
    for name, width, height in sizes:
        if not (width > 0 and height > 0):
            failures.append(f"chart {name} is drawn {width} x {height}")
    if expected_charts is not None and len(sizes) != expected_charts:
        failures.append(f"{len(sizes)} charts on the page, {expected_charts} in the folder")
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    screenshot.write_bytes(shot)
    ink = png_ink(shot)
    if ink < 0.01:
        failures.append(f"the screenshot is blank ({ink:.2%} of pixels inked)")
    if phone["page"] > PHONE_WIDTH:
        failures.append(f"on a {PHONE_WIDTH}-pixel phone the page scrolls sideways to {phone['page']}")
    for name, width in phone["charts"]:
        if width < CHART_MIN_WIDTH:
            failures.append(
                f"on a {PHONE_WIDTH}-pixel phone chart {name} is drawn {width:.0f} pixels wide,"
                f" its labels below {16 * width / 1200:.1f} pixels"
            )
    phone_path = screenshot.with_name(f"{screenshot.stem}-phone{screenshot.suffix}")
    phone_path.write_bytes(phone_shot)
    for paper, pdf in pdfs.items():
        if not pdf.startswith(b"%PDF") or len(pdf) < 10_000:
            failures.append(f"printing on {paper} gave no document ({len(pdf)} bytes)")
    print(
        f"{report}: {len(sizes)} charts, screenshot {ink:.1%} inked -> {screenshot}, "
        f"PDF A4 {len(pdfs['A4']) // 1024} KiB, Letter {len(pdfs['Letter']) // 1024} KiB; "
        + (
            f"on a phone, charts at least {min(w for _, w in phone['charts']):.0f} px wide"
            if phone["charts"]
            else "no chart"
        )
    )
    for f in failures:
        print(f"FAIL {f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
