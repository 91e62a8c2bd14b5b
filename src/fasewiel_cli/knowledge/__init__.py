"""The knowledge base: its models, the YAML it is read from (safely), loading and validation,
the signed cache of a validated one, and the checks of a folder of one's own (``lint``).

The bottom layer of fasewiel: it knows nothing of how texts are read or advice is given.
"""

# A knowledge-base file may be at most this large (the loader reads one byte more to tell).
MAX_FILE_BYTES = 1024 * 1024
