"""精准扶持 and 动态管理 (schema 4): 结对帮扶 (helpers, 驻村工作队), plans and results, income
by year against the year's 扶贫标准, the yearly review (年度动态调整) and member changes. The
exit itself is recorded as procedure steps (registry/procedure/exits.py)."""
