"""The offline adapter: with no provider keys, messages are logged and kept in memory so that
`make run` shows what would be sent and tests can read it."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

logger = logging.getLogger("app.console")


@dataclass(frozen=True, slots=True)
class ConsoleEmail:
    to: str
    subject: str
    text: str


@dataclass(frozen=True, slots=True)
class ConsoleSms:
    to: str
    text: str


@dataclass
class ConsoleOutbox:
    emails: list[ConsoleEmail] = field(default_factory=list)
    sms: list[ConsoleSms] = field(default_factory=list)

    def send_email(self, *, to: str, subject: str, text: str) -> None:
        self.emails.append(ConsoleEmail(to=to, subject=subject, text=text))
        logger.info("e-mail (console) to %s: %s\n%s", to, subject, text)

    def send_sms(self, *, to: str, text: str) -> None:
        self.sms.append(ConsoleSms(to=to, text=text))
        logger.info("SMS (console) to %s: %s", to, text)

    def clear(self) -> None:
        self.emails.clear()
        self.sms.clear()


console = ConsoleOutbox()
