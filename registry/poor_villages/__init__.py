"""贫困村 (issue 14): a village's facts per year, its figures counted from households, its
identification and exit as recorded steps (申请 → 乡镇审核 → 乡镇公示 → 县审定 → 公告;
申请退出 → 退出公示 → 县审定退出 → 退出公告), the county's decisions on it and their
application at the station. Mirrors registry/procedure for households."""
