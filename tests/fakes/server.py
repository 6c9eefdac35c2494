"""One local HTTP server for every fake provider, started once per test run."""

from __future__ import annotations

import threading
import time

import uvicorn
from starlette.applications import Starlette
from starlette.routing import Mount

from tests.fakes.ovh import FakeOvh
from tests.fakes.paypal import FakePayPal
from tests.fakes.resend import FakeResend
from tests.fakes.stripe import FakeStripe
from tests.fakes.sumup import FakeSumUp


class FakeProviders:
    def __init__(self, port: int) -> None:
        self.stripe = FakeStripe()
        self.paypal = FakePayPal()
        self.sumup = FakeSumUp()
        self.resend = FakeResend()
        self.ovh = FakeOvh()
        app = Starlette(
            routes=[
                Mount("/stripe", app=self.stripe.app),
                Mount("/paypal", app=self.paypal.app),
                Mount("/sumup", app=self.sumup.app),
                Mount("/resend", app=self.resend.app),
                Mount("/ovh", app=self.ovh.app),
            ]
        )
        self.port = port
        self.base = f"http://127.0.0.1:{self.port}"
        self._server = uvicorn.Server(
            uvicorn.Config(
                app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off"
            )
        )
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def start(self) -> FakeProviders:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the fake providers did not start")
            time.sleep(0.01)
        return self

    def reset(self) -> None:
        self.stripe.reset()
        self.paypal.reset()
        self.sumup.reset()
        self.resend.reset()
        self.ovh.reset()

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=5)
