"""What the contract gate (``subshift_contracts``) and the service (``subshift``) share.

The ``subshift-contracts-core`` distribution (gate/core/ in Subshift's repository): the error root and
its exit codes (``errors``), the manifest's model and loading (``manifest``, ``manifest_lines``), subject
names and schema files (``subjects``), Avro references inlined offline (``references``), the repository
a command works on (``repository``) and the options naming it (``options``). It needs PyYAML, pydantic
and typer only, so the service's image carries it without the gate's checkers (avro, buf); it imports
nothing of the gate or the service.
"""
