"""The migration API: a CSV upload's journey from gRPC stream to staged migration items (the outbox).

Read in data-flow order: ``server`` (gRPC, health, reflection; ``production`` refuses unsafe
settings) → ``interceptor`` + ``auth`` + ``jwks`` (who may call what) → ``call_limits`` (caps on
open calls) → ``request_deadline`` (request messages in time) → ``servicer`` (the only
grpc↔domain edge, with ``status`` and ``convert``) → ``create`` (idempotency) → ``csv_reader`` →
``validation`` → ``staging`` (COPY into ``migration_items``, the outbox) → ``duplicates``.
``queries``, ``lifecycle``, ``watch`` and ``export`` serve the other methods; ``audit`` records
every mutating call.

May import: the foundation (``errors``, ``config``, ``faults``, ``db``, ``observability``, ``runtime``),
``messaging`` and ``lifecycle`` (a migration created, cancelled or reverted). Never ``outbox``,
``apply`` or ``deadletter``: the stages hand work on through PostgreSQL and Kafka, not through imports.
"""
