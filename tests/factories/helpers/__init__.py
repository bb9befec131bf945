"""Plain helpers that test modules import: byte builders, constants, form posts made with a
client, and functions that read rows back. Nothing here is a fixture and nothing here writes
rows of its own: data is made by the factory fixtures of tests/factories, which tests take
by name."""
