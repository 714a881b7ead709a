@echo off
rem Start the LMS stack with Docker Compose on Windows, without make.
rem
rem   scripts\run_project.bat [--skip-build] [--skip-migrations] [--seed] [--create-admin] [--logs]
rem
rem   1. Copies .env.example to .env when .env is missing.
rem   2. Builds the image                                   (skip: --skip-build)
rem   3. Applies the migrations in the foreground           (skip: --skip-migrations)
rem   4. Starts db, redis, api, celery-worker, celery-beat in the background.
rem   5. --seed: demo accounts; --create-admin: asks for an admin's e-mail and password;
rem      --logs: follows the API log (Ctrl+C stops following, the containers keep running).
rem Every command is printed before it runs; the script stops at the first one that fails.
rem Needs Docker Desktop with Docker Compose v2.24 or newer. PowerShell users: run_project.ps1.

setlocal EnableExtensions

set "SKIP_BUILD=0"
set "SKIP_MIGRATIONS=0"
set "SEED=0"
set "CREATE_ADMIN=0"
set "LOGS=0"

:parse
if "%~1"=="" goto parsed
if /i "%~1"=="--skip-build" (
    set "SKIP_BUILD=1"
    shift
    goto parse
)
if /i "%~1"=="--skip-migrations" (
    set "SKIP_MIGRATIONS=1"
    shift
    goto parse
)
if /i "%~1"=="--seed" (
    set "SEED=1"
    shift
    goto parse
)
if /i "%~1"=="--create-admin" (
    set "CREATE_ADMIN=1"
    shift
    goto parse
)
if /i "%~1"=="--logs" (
    set "LOGS=1"
    shift
    goto parse
)
if /i "%~1"=="--help" goto usage
if /i "%~1"=="-h" goto usage
if "%~1"=="/?" goto usage
echo Unknown option: %~1
call :print_usage
endlocal & exit /b 2

:usage
call :print_usage
endlocal & exit /b 0

:parsed
rem The repository root is the folder above this script; --file makes it the project folder.
for %%I in ("%~dp0..") do set "ROOT=%%~fI"
set "COMPOSE_FILE=%ROOT%\docker-compose.yml"
set "COMPOSE=docker compose --file "%COMPOSE_FILE%""

rem --- Preconditions ------------------------------------------------------------------------------
where docker >nul 2>nul
if errorlevel 1 (
    echo Stopped: docker was not found. Install Docker Desktop and open a new terminal.
    endlocal & exit /b 1
)
docker compose version >nul 2>nul
if errorlevel 1 (
    echo Stopped: 'docker compose' is not available. Docker Desktop ships it; update Docker Desktop.
    endlocal & exit /b 1
)
docker info >nul 2>nul
if errorlevel 1 (
    echo Stopped: the Docker engine is not running. Start Docker Desktop and try again.
    endlocal & exit /b 1
)

rem --- 1. Configuration ---------------------------------------------------------------------------
echo.
echo ==^> Configuration
rem Labels, not a parenthesised block: a folder name with ")" in it would end the block early.
if exist "%ROOT%\.env" goto env_exists
copy /y "%ROOT%\.env.example" "%ROOT%\.env" >nul
if errorlevel 1 goto failed
echo     Created .env from .env.example: development values, edit it for anything else.
goto env_done
:env_exists
echo     Using the existing .env
:env_done

rem docker-compose.yml marks .env optional, which needs Compose 2.24: an older one fails here.
call :step "Checking docker-compose.yml" config --quiet
if errorlevel 1 goto failed

rem --- 2. Image -----------------------------------------------------------------------------------
if "%SKIP_BUILD%"=="1" (
    echo.
    echo ==^> Build skipped [--skip-build]: using the existing image.
) else (
    rem One image serves api, migrate, celery-worker and celery-beat.
    call :step "Building the image" build api
    if errorlevel 1 goto failed
)

rem --- 3. Migrations and start --------------------------------------------------------------------
if "%SKIP_MIGRATIONS%"=="1" goto start_without_migrations
call :step "Applying database migrations - starts db and redis first" run --rm migrate
if errorlevel 1 goto failed
rem The migrate service runs once more as the API's dependency: with nothing to apply it exits at once.
call :step "Starting the stack" up --detach
if errorlevel 1 goto failed
goto optional_steps

:start_without_migrations
echo.
echo ==^> Migrations skipped [--skip-migrations].
call :step "Starting db and redis - waits until they are healthy" up --detach --wait db redis
if errorlevel 1 goto failed
call :step "Starting api, celery-worker and celery-beat" up --detach --no-deps api celery-worker celery-beat
if errorlevel 1 goto failed

rem --- 4. Optional steps --------------------------------------------------------------------------
:optional_steps
if "%SEED%"=="1" (
    call :step "Seeding the demo accounts" exec -T api python manage.py seed_demo_data
    if errorlevel 1 goto failed
)
if "%CREATE_ADMIN%"=="1" (
    call :step "Creating an admin account - answer the prompts" exec api python manage.py create_admin
    if errorlevel 1 goto failed
)

echo.
echo The stack is up:
echo     API docs:  http://localhost:8000/docs
echo     Health:    http://localhost:8000/api/v1/health
echo     Admin:     http://localhost:8000/admin/
echo     Status:    docker compose ps
echo     Stop:      docker compose down

if "%LOGS%"=="1" (
    call :step "Following the API log - Ctrl+C stops following, the containers keep running" logs --follow api
    if errorlevel 1 goto failed
)
endlocal & exit /b 0

:failed
set "RC=%ERRORLEVEL%"
if "%RC%"=="0" set "RC=1"
echo.
echo Stopped: the last command failed [exit code %RC%].
endlocal & exit /b %RC%

rem --- Subroutines --------------------------------------------------------------------------------

rem :step "Title" compose-arguments...   prints the title and the command, runs docker compose with
rem the arguments, and returns its exit code.
:step
echo.
echo ==^> %~1
shift
set "STEP_ARGS="
:step_args
if "%~1"=="" goto step_run
set "STEP_ARGS=%STEP_ARGS% %1"
shift
goto step_args
:step_run
echo     %COMPOSE%%STEP_ARGS%
%COMPOSE%%STEP_ARGS%
exit /b %ERRORLEVEL%

:print_usage
echo Usage: scripts\run_project.bat [--skip-build] [--skip-migrations] [--seed] [--create-admin] [--logs]
echo.
echo   --skip-build       use the image built last time instead of rebuilding it
echo   --skip-migrations  start the stack without applying migrations
echo   --seed             create the demo accounts [manage.py seed_demo_data]
echo   --create-admin     create an admin account interactively [manage.py create_admin]
echo   --logs             follow the API log at the end
exit /b 0
