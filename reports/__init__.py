"""Qt-free output: ReportLab PDFs (公示/公告 posters, 花名册, 登记簿, 扶贫手册) and the
Excel export and import. Reads forms/ and registry/ only."""
