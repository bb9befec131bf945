"""The development mailbox needs no login: it exists only where DEV_MAILBOX is set."""
from portal.blueprints.devtools.views import public  # noqa: F401
