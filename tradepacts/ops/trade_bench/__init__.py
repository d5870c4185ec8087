"""The benchmark of the trade statistics refresh: ``python -m tradepacts.ops.trade_bench`` (see __main__)."""
