"""Use cases. Each public function opens and owns one transaction on the ``Database``.

Results are handed to a ``present`` callback *inside* the transaction, so that the HTTP layer
can render related data (tags, branches, environments) without the service knowing about HAL
and without touching detached objects.
"""
