"""The rule packs shipped with harden (``rules/*.toml`` in the repository)."""
