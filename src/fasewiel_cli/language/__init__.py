"""Reading what a client writes: words and their forms (``morphology``), the lexicon built from
a knowledge base, signals and negations (``matching``), red flags (``safety``), typo tolerance
(``fuzzy``) and names of things (``lookup``). Builds on ``knowledge`` only.
"""
