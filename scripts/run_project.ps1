<#
.SYNOPSIS
    Start the LMS stack with Docker Compose on Windows, without make.

.DESCRIPTION
    1. Copies .env.example to .env when .env is missing.
    2. Builds the image (skip with -SkipBuild).
    3. Applies the database migrations in the foreground, so their output is on screen
       (skip with -SkipMigrations).
    4. Starts db, redis, api, celery-worker and celery-beat in the background.
    5. Optionally seeds the demo accounts (-Seed), creates an admin (-CreateAdmin, asks for
       the e-mail and password) and follows the API log (-Logs; Ctrl+C stops following,
       the containers keep running).
    Every command is printed before it runs; the script stops at the first one that fails.

    The stack's own `migrate` service also runs before the API starts on a plain
    `docker compose up`; -SkipMigrations starts the stack without it.

.PARAMETER SkipBuild
    Use the image built last time instead of rebuilding it.

.PARAMETER SkipMigrations
    Do not apply migrations: start db and redis, then the app services without the
    `migrate` service.

.PARAMETER Seed
    Create the demo accounts (manage.py seed_demo_data). Safe to repeat.

.PARAMETER CreateAdmin
    Create an admin account interactively (manage.py create_admin).

.PARAMETER Logs
    Follow the API log at the end.

.EXAMPLE
    .\scripts\run_project.ps1

.EXAMPLE
    .\scripts\run_project.ps1 -SkipBuild -Seed -Logs

.NOTES
    Needs Docker Desktop with Docker Compose v2.24 or newer. If PowerShell refuses to run
    scripts, start it as:
    powershell -ExecutionPolicy Bypass -File .\scripts\run_project.ps1
    Stop the stack with: docker compose down   (add -v to delete the database and uploads too)
#>
[CmdletBinding()]
param(
    [switch]$SkipBuild,
    [switch]$SkipMigrations,
    [switch]$Seed,
    [switch]$CreateAdmin,
    [switch]$Logs
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$Root = Split-Path -Parent $PSScriptRoot
$ComposeFile = Join-Path $Root 'docker-compose.yml'
$EnvFile = Join-Path $Root '.env'
$EnvExample = Join-Path $Root '.env.example'
# --file makes the project folder the repository root wherever this script is started from.
$Compose = @('compose', '--file', $ComposeFile)

function Stop-WithError {
    param([string]$Message, [int]$Code = 1)
    Write-Host ''
    Write-Host "Stopped: $Message" -ForegroundColor Red
    exit $Code
}

function Invoke-Step {
    param([string]$Title, [string[]]$Arguments)
    Write-Host ''
    Write-Host "==> $Title" -ForegroundColor Cyan
    Write-Host "    docker $($Arguments -join ' ')" -ForegroundColor DarkGray
    & docker @Arguments
    if ($LASTEXITCODE -ne 0) {
        Stop-WithError "'docker $($Arguments -join ' ')' failed (exit code $LASTEXITCODE)." $LASTEXITCODE
    }
}

# --- Preconditions ----------------------------------------------------------------------------
# Runs a docker command quietly and tells whether it succeeded. Windows PowerShell 5.1 turns
# redirected stderr of a native command into an error, which 'Stop' would make fatal: hence Continue.
function Test-Docker {
    param([string[]]$Arguments)
    $saved = $ErrorActionPreference
    $ErrorActionPreference = 'Continue'
    try {
        & docker @Arguments *> $null
        return ($LASTEXITCODE -eq 0)
    } finally {
        $ErrorActionPreference = $saved
    }
}

if (-not (Get-Command docker -ErrorAction SilentlyContinue)) {
    Stop-WithError 'docker was not found. Install Docker Desktop and open a new terminal.'
}
if (-not (Test-Docker @('compose', 'version'))) {
    Stop-WithError "'docker compose' is not available. Docker Desktop ships it; update Docker Desktop."
}
$saved = $ErrorActionPreference
$ErrorActionPreference = 'Continue'
$composeVersion = "$(& docker compose version --short 2>$null)"
$ErrorActionPreference = $saved
# docker-compose.yml marks .env optional (env_file `required: false`), which needs Compose 2.24.
if ($composeVersion -match '(\d+)\.(\d+)' -and [version]"$($Matches[1]).$($Matches[2])" -lt [version]'2.24') {
    Stop-WithError "Docker Compose $composeVersion is too old: 2.24 or newer is needed. Update Docker Desktop."
}
if (-not (Test-Docker @('info'))) {
    Stop-WithError 'the Docker engine is not running. Start Docker Desktop and try again.'
}

# --- 1. Configuration ---------------------------------------------------------------------------
Write-Host ''
Write-Host '==> Configuration' -ForegroundColor Cyan
if (Test-Path -LiteralPath $EnvFile) {
    Write-Host "    Using the existing $EnvFile"
} else {
    Copy-Item -LiteralPath $EnvExample -Destination $EnvFile
    Write-Host "    Created $EnvFile from .env.example (development values; edit it for anything else)."
}
Invoke-Step 'Checking docker-compose.yml' ($Compose + @('config', '--quiet'))

# --- 2. Image -----------------------------------------------------------------------------------
if ($SkipBuild) {
    Write-Host ''
    Write-Host '==> Build skipped (-SkipBuild): using the existing image.' -ForegroundColor Yellow
} else {
    # One image serves api, migrate, celery-worker and celery-beat: building it for api builds it for all.
    Invoke-Step 'Building the image' ($Compose + @('build', 'api'))
}

# --- 3. Migrations and start --------------------------------------------------------------------
if ($SkipMigrations) {
    Write-Host ''
    Write-Host '==> Migrations skipped (-SkipMigrations).' -ForegroundColor Yellow
    Invoke-Step 'Starting db and redis (waits until they are healthy)' ($Compose + @('up', '--detach', '--wait', 'db', 'redis'))
    Invoke-Step 'Starting api, celery-worker and celery-beat' ($Compose + @('up', '--detach', '--no-deps', 'api', 'celery-worker', 'celery-beat'))
} else {
    Invoke-Step 'Applying database migrations (starts db and redis first)' ($Compose + @('run', '--rm', 'migrate'))
    # The migrate service runs once more as the API's dependency: with nothing left to apply it exits at once.
    Invoke-Step 'Starting the stack' ($Compose + @('up', '--detach'))
}

# --- 4. Optional steps --------------------------------------------------------------------------
if ($Seed) {
    Invoke-Step 'Seeding the demo accounts' ($Compose + @('exec', '-T', 'api', 'python', 'manage.py', 'seed_demo_data'))
}
if ($CreateAdmin) {
    Invoke-Step 'Creating an admin account (answer the prompts)' ($Compose + @('exec', 'api', 'python', 'manage.py', 'create_admin'))
}

Write-Host ''
Write-Host 'The stack is up:' -ForegroundColor Green
Write-Host '    API docs:  http://localhost:8000/docs'
Write-Host '    Health:    http://localhost:8000/api/v1/health'
Write-Host '    Admin:     http://localhost:8000/admin/'
Write-Host '    Status:    docker compose ps'
Write-Host '    Stop:      docker compose down'

if ($Logs) {
    Invoke-Step 'Following the API log (Ctrl+C stops following; the containers keep running)' ($Compose + @('logs', '--follow', 'api'))
}
