"""Subshift's development tooling, a distribution apart from the service (``tooling/``).

- ``stack``: the local Kafka, registry and PostgreSQL (``subshift stack``);
- ``bench``: the pipeline's benchmark beside raw baselines (``subshift bench``, docs/performance/);
- ``readme``: the generated reference (docs/reference/) and the README's performance table;
- ``seeding``: deterministic demo data (``subshift seed``).

It may import the service (``subshift``); the service never imports it: the commands join the
``subshift`` command line through the ``subshift.commands`` entry point (``commands.register``).
"""
