@echo off
rem {{description}}
{{environment}}
{{command}} < NUL
