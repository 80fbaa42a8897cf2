"""Use cases. Each public function opens and owns one transaction on the ``Database``.

Results are handed to a ``present`` callback *inside* the transaction, so that the HTTP layer
can render related objects without touching detached ones. The callback never receives the
session: whatever a representation shows beyond the objects themselves (a pacticipant's latest
version, a branch's head, the environments of many versions at once) the service loads through
the repository and passes in, as a small view or facts dataclass.
"""
