"""The consumer: events from ``user-offers`` applied to ``subscriptions`` exactly once in effect.

Read in data-flow order: ``service`` (the process: consumer group, metrics, lag) → ``consumer`` (the loop
and its commit order: poll, decode, apply in one transaction, commit the database, then Kafka) →
``sorting`` (a polled batch split into changes and dead letters) → ``batch`` (the plan: duplicates,
positions, what the database already applied) → ``transaction`` (one batch's transaction, committed)
→ ``store`` (the SQL of one apply) → ``offsets`` and
``rebalance`` (the database's offsets win over Kafka's on assignment); ``metrics`` counts it all.

May import: the foundation (``errors``, ``config``, ``faults``, ``db``, ``observability``, ``runtime``),
``messaging``, ``lifecycle`` (outcomes counted, migrations finished) and ``deadletter`` (letters written
for what can never be applied). Never ``api`` or ``outbox``.
"""
