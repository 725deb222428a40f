"""(being written)"""
THEOREMS = ()
