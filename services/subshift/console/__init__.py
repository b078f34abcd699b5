"""How the ``subshift migrate`` commands talk to people and scripts: views, tables, progress, failures.

The commands stay thin: they call ``subshift_client.SubshiftClient`` and hand what comes back
to this package, which renders it as Rich tables and progress bars, or as JSON for scripts.
"""
