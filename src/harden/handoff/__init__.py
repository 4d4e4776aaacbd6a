"""`harden handoff`: one command from a research notebook to an engineer's starting point."""
