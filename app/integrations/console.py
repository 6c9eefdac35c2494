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


@dataclass
class ConsoleOutbox:
    emails: list[ConsoleEmail] = field(default_factory=list)

    def send_email(self, *, to: str, subject: str, text: str) -> None:
        self.emails.append(ConsoleEmail(to=to, subject=subject, text=text))
        logger.info("e-mail (console) to %s: %s\n%s", to, subject, text)


console = ConsoleOutbox()
