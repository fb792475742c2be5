@echo off
rem {{description}} (login item; see openclaw gateway status)
start "" /min %SystemRoot%\System32\cmd.exe /d /c {{script}}
