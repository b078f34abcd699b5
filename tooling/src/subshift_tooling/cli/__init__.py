"""The development commands: ``subshift stack``, ``subshift bench`` and ``subshift seed``."""
