"""The senior dining subsidy, one module per cluster (import a name from the module that owns it):

- registry: seniors, meal cards, centers and canteens lists
- terminals: canteen terminal tokens (create, revoke, look up by token)
- meals: record a meal, void one, the meals of a day
- posting: one ledger transaction with its postings and hash-chain link, and whether a month is still open
- allowances: the year's policy, grants, year end, a senior's figures and balances
- months: the month view and its close, the Excel 台账, a senior's account and statement
- checks: the ledger's invariants and hash chain
"""
