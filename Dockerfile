# syntax=docker/dockerfile:1

# One image for the API (gunicorn), the Celery worker, Celery beat and the one-shot migrations;
# docker-compose.yml chooses the command. Configuration comes only from the environment at run time.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=lms_project.settings

# WeasyPrint (certificate PDFs) loads Pango, HarfBuzz's subsetter and fontconfig through cffi at run
# time: no wheel ships them. DejaVu gives it one small font to render text with.
RUN apt-get update \
    && apt-get install --yes --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# The processes run as this user. It owns only the uploads folder; the code stays root's and read-only.
# A home folder, because fontconfig keeps its per-user cache there.
RUN groupadd --gid 1000 lms \
    && useradd --uid 1000 --gid lms --create-home --shell /usr/sbin/nologin lms

WORKDIR /app

# Dependencies first, so a code change does not reinstall them. pyproject.toml declares
# `packages = []`: `pip install .` installs the dependencies and no code. README.md is optional
# (setuptools only warns when the readme is missing), hence the wildcard.
COPY pyproject.toml README.md* ./
RUN pip install . \
    && rm -rf build ./*.egg-info

COPY . .

# collectstatic reads no secret and no database; DEBUG=true for this one command only lets settings
# load without a SECRET_KEY. Nothing secret is baked into the image.
RUN DEBUG=true LMS_IGNORE_DOTENV=true python manage.py collectstatic --noinput \
    && mkdir -p /data/uploads \
    && chown lms:lms /data/uploads

USER lms

EXPOSE 8000

# The healthcheck lives in docker-compose.yml: the same image runs the worker and beat, which serve
# no HTTP.
CMD ["gunicorn", "--config", "gunicorn.conf.py"]
