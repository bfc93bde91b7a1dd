"""Exceptions that carry a message meant for the user.

Library code raises these; only the CLI edge turns them into Click exceptions, so the
same code is usable from Python with ordinary exceptions.
"""


class EdgepackError(Exception):
    """Bad input or an impossible request: one line saying what is wrong and how to fix it."""

    exit_code = 2


class ParityGateError(EdgepackError):
    """An artifact was built but does not compute what the reference model computes."""

    exit_code = 1


class VerificationError(EdgepackError):
    """`edgepack verify` found a bundle whose files or numbers no longer match its manifest."""

    exit_code = 1
