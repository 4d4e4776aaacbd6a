"""The built-in rules: one module per rule, named ``hNNN_rule_name.py``.

Shared helpers live in modules whose names start with ``_``.
"""
