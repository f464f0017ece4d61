@echo off
rem close-task-bulk: runs the bundle from any folder (docs/INSTALL.md). Keep in step with bin/close-task-bulk.
rem Configuration: config\ and routes\ of this installation, or of the folder named by --config DIR or
rem CLOSE_TASK_BULK_CONFIG. Data (bulk.inbox, bulk.reports, ...): relative to the working folder.
rem JVM options: JAVA_OPTS (added here) and JDK_JAVA_OPTIONS (read by java itself). JAVA_HOME picks the JVM.
rem A one-off run (--once, --sweep, --apply) uses C1 and the serial GC. No class data archive here
rem (bin/close-task-bulk makes one on Linux and macOS).
setlocal
set "CTB_HOME=%~dp0.."
for %%i in ("%CTB_HOME%") do set "CTB_HOME=%%~fi"
if defined JAVA_HOME (set "CTB_JAVA=%JAVA_HOME%\bin\java.exe") else (for %%j in (java.exe) do set "CTB_JAVA=%%~$PATH:j")
if not defined CTB_JAVA (
  echo error: no java on PATH: install Java 17 or later, or set JAVA_HOME 1>&2
  exit /b 2
)
set "CTB_QUICK="
for %%a in (%*) do (
  if "%%~a"=="--once" set "CTB_QUICK=-XX:TieredStopAtLevel=1"
  if "%%~a"=="--sweep" set "CTB_QUICK=-XX:TieredStopAtLevel=1"
  if "%%~a"=="--apply" set "CTB_QUICK=-XX:TieredStopAtLevel=1"
)
rem a collector named in JAVA_OPTS or JDK_JAVA_OPTIONS is kept (two would stop the JVM)
if not defined CTB_QUICK goto run
echo.%JAVA_OPTS% %JDK_JAVA_OPTIONS%| findstr /r /c:"-XX:+Use[A-Za-z]*GC" >nul || set "CTB_QUICK=%CTB_QUICK% -XX:+UseSerialGC"
:run
"%CTB_JAVA%" %CTB_QUICK% %JAVA_OPTS% "-Dclose-task-bulk.home=%CTB_HOME%" -cp "%CTB_HOME%\lib\*" closetaskbulk.Application %*
exit /b %ERRORLEVEL%
