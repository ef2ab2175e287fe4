"""The terminal side: the run's Environment, the output formats, progress and live displays.

It depends on the core only; rich is imported when a table or live display is drawn, never before.
"""
