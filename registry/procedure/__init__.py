"""精准识别 as recorded steps (两公示一公告): the step table (steps.py), recording a step for
households (record.py), notices and their objections (notices.py), 规模控制 (quota.py), the
county's review, sample and decisions (county.py), and a household's 档案 timeline
(history.py). A household's stage is derived from its steps, never typed."""
