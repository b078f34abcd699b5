"""Dead letters: records that can never be applied, kept with why, listed and replayed after a fix.

What happens here:
- ``letters``: the reasons a record is dead and the letter the dead-letter topic receives for it;
- ``headers``: the Spring-style headers that say why (written by ``producer``, read by ``reader``);
- ``producer``: produced and flushed synchronously, before the apply commits;
- ``reader``: the dead-letter topic read back, for ``subshift dlq list`` and the replay;
- ``replay``: ``subshift dlq replay``, resumable and idempotent, through ``subshift.lifecycle.replayed``;
- ``ledger``: each dead-letter position replayed at most once (``dead_letter_replays``).

May import: the foundation (``errors``, ``config``, ``db``, ``observability``, ``faults``), ``messaging``
and ``lifecycle``. Never ``apply`` (the consumer calls this package, not the other way round), ``api`` or
``outbox``.
"""
