"""Inventory formulas: EOQ, newsvendor, base stock, safety stock and reorder point.

All arguments by keyword; bad values raise ``omo.ValidationError`` naming the argument.
"""
from ._native import base_stock_normal, eoq, newsvendor_normal, newsvendor_poisson, reorder_point, safety_stock

__all__ = ["eoq", "newsvendor_normal", "base_stock_normal", "newsvendor_poisson", "safety_stock", "reorder_point"]
