"""The JSON API of analytics: none yet. The dashboard's figures are server-rendered pages and .xlsx
exports (views.py); an API for the 信访信息系统 exchange comes with the documents session."""
