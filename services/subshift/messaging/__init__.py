"""Kafka and the schema registry as the stages meet them: names, identities and administration.

What happens here: ``topic_names`` (each manifest topic's name, with the deployment's prefix),
``topic_identity`` (the cluster and topic ids a stored position counts records of), ``topics_admin`` and
``registry_admin`` (topics and subjects as the manifest declares them, for ``subshift topics ensure``)
and ``publish`` (``subshift contracts publish``: subjects, then topics, as one report).
Producing and consuming events is the client library's (``subshift_client``), used by ``outbox``,
``apply`` and ``deadletter``.

May import: the foundation only (``errors``, ``contracts_manifest``, ``config``, ``observability``).
Every stage imports it, so it imports none of them, nor ``lifecycle`` or ``deadletter``.
"""
