"""Non-UI client layer of the eBOK API v1. Must never import textual.

    from ebok_tui.core.api import EbokClient, ApiError, Unauthorized, Balance

Everything public in ``client``, ``errors`` and ``models`` (their ``__all__``) is here too; a new
name there needs no second list here.
"""

from . import client, errors, models
from .client import *  # noqa: F403
from .errors import *  # noqa: F403
from .models import *  # noqa: F403

__all__ = [*client.__all__, *errors.__all__, *models.__all__]
