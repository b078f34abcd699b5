"""The outbox relay: staged migration items become one Avro event each on ``user-offers``.

Read in data-flow order: ``service`` (the process: producer, topic, metrics, the loop and its backoff) →
``relay`` (one cycle: fair batch, claim, produce, flush, move the cursors; an event the broker refuses as
too large is probed alone and fails its migration) with ``throttle`` (each migration's token bucket) and
``claim`` (which migrations may publish and the items after their cursor); ``metrics`` counts it all.
Several relays may run side by side: a migration's advisory lock gives each batch to one of them.

May import: the foundation (``errors``, ``config``, ``faults``, ``db``, ``observability``, ``runtime``),
``messaging`` and ``lifecycle`` (the counts published, PENDING → PUBLISHING → APPLYING, FAILED). Never
``api`` or ``apply``: the stages hand work on through PostgreSQL and Kafka, not through imports.
"""
