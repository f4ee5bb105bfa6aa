"""识别程序 in the app: a village's batch of steps, notices and their objections, a
household's 档案, and the county's 复审, 抽查, 审定 and 公告 (actions.install adds them)."""
