@echo off
rem close-task-bulk: runs the bundle from any folder (docs/INSTALL.md).
rem Configuration: config\ and routes\ of this installation, or of the folder named by --config DIR or
rem CLOSE_TASK_BULK_CONFIG. Data (bulk.inbox, bulk.reports, ...): relative to the working folder.
rem JVM options: JAVA_OPTS (added here) and JDK_JAVA_OPTIONS (read by java itself). JAVA_HOME picks the JVM.
rem No class data archive here (bin/close-task-bulk makes one on Linux and macOS).
setlocal
set "CTB_HOME=%~dp0.."
for %%i in ("%CTB_HOME%") do set "CTB_HOME=%%~fi"
if defined JAVA_HOME (set "CTB_JAVA=%JAVA_HOME%\bin\java.exe") else (set "CTB_JAVA=java.exe")
"%CTB_JAVA%" %JAVA_OPTS% "-Dclose-task-bulk.home=%CTB_HOME%" -cp "%CTB_HOME%\lib\*" closetaskbulk.Application %*
exit /b %ERRORLEVEL%
