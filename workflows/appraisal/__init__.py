"""The quarterly appraisal (process 3, 售后工程部考核制度): docs/appraisal.md.

`models` the tables, `scoring` the one place the rules are computed, `queries` the reads,
`operations` (launching, ratings), `sheet` (the result sheet) and `appeals` the writes,
`effects` what the diagrams' steps do to them.
"""
