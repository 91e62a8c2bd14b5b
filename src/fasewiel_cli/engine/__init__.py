"""From what a text says to advice: the phase (``scoring``), the care plan and treatment
verdicts (``advice``), overviews, reference-card content, the intake's questions. Pure: no
files, no terminal. Builds on ``language`` and ``knowledge``.
"""
