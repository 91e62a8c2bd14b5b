"""Many records at once: reading CSV, JSON Lines and JSON arrays (``records``), the one
assessing loop and its writers (``run``), worker processes behind ``--jobs`` (``workers``)."""
