"""The 数据交换 menu: Excel export, template and import; USB sync for stations and the
county."""
