"""The development commands: ``subshift stack``, ``bench``, ``seed`` and ``contracts generate|fixtures|release``."""
