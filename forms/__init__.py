"""Every paper form as data: one declaration per field drives validation, the entry
screen, Excel columns and printed columns (the XLSForm idea). No database, no Qt."""
