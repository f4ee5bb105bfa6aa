"""帮扶 and 动态管理: the household editor's 帮扶 tab, 成员变更, a village's 结对帮扶 /
驻村工作队 / 村帮扶规划, and 年度动态调整."""
