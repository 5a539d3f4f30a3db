"""Keep the tokens of customer links out of logs. A link in a message is a capability (see
notifications.links): whoever reads an access log must not be able to act as the customer.

The filter rewrites a record's message with every token in a link path (`/t/<token>/`, and the other
short prefixes the portal serves links on) replaced by `[link]`. Django's loggers get it from LOGGING
(settings); the WSGI servers' own access loggers (gunicorn, granian) from `mask_server_logs`, called by
the WSGI module, because their handlers are set up by the server, not by Django."""

from __future__ import annotations

import logging
import re

# The prefixes of notifications.links.PURPOSES (a test keeps the two the same).
LINK_PREFIXES = ("t", "p", "f", "d", "u")
# Links that are not contacts' grants: a lead's opt-in link (leads).
OTHER_LINK_PREFIXES = ("o",)
TOKEN_IN_PATH = re.compile(
    r"/(?:%s)/([^/\s?#\"']{16,})" % "|".join(LINK_PREFIXES + OTHER_LINK_PREFIXES)  # noqa: UP031
)
SERVER_ACCESS_LOGGERS = ("gunicorn.access", "granian.access")


def mask(text: str) -> str:
    return TOKEN_IN_PATH.sub(lambda m: m.group(0).replace(m.group(1), "[link]"), text)


class MaskLinkTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


def mask_server_logs() -> None:
    for name in SERVER_ACCESS_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, MaskLinkTokens) for f in logger.filters):
            logger.addFilter(MaskLinkTokens())
